import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAddress, parseProcNetTcp, socketInode } from '../../../collectors/netstat/proc-net.ts';
import { parseCmdline, programName } from '../../../collectors/netstat/processes.ts';
import { readProc } from '../../../collectors/netstat/read-proc.ts';
import { snapshotToIngest, type HostSnapshot } from '../../../collectors/netstat/transform.ts';
import { netstatCollector } from '../../../collectors/netstat/index.ts';
import { expectValidBatch } from '../answer-keys.ts';

/** Lines as a Linux 6.x kernel prints them (trailing fields trimmed). */
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 1002 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 1003 1 0000000000000000 20 4 30 10 -1
   3: 0B01000A:D431 2A3A5E8D:01BB 01 00000000:00000000 02:00000A8C 00000000  1000        0 1004 2 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 2001 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000B01000A:9C40 0000000000000000FFFF00000501000A:1538 01 00000000:00000000 00:00000000 00000000  1000        0 2002 1 0000000000000000 20 4 30 10 -1
`;

describe('parsing /proc/net/tcp and tcp6', () => {
  it('decodes little-endian hex addresses, big-endian ports and states', () => {
    const [listen, client] = parseProcNetTcp(TCP);
    expect(listen).toEqual({ local: { ip: '127.0.0.1', port: 8080 }, remote: { ip: '0.0.0.0', port: 0 }, state: 'LISTEN', uid: 1000, inode: 1001 });
    expect(client).toMatchObject({ local: { ip: '127.0.0.1', port: 50000 }, remote: { ip: '127.0.0.1', port: 8080 }, state: 'ESTABLISHED' });
  });

  it('decodes IPv6, the loopback, and IPv4-mapped addresses as plain IPv4', () => {
    expect(decodeAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeAddress('B80D0120000000000000000001000000')).toBe('2001:db8::1');
    const [wild, mapped] = parseProcNetTcp(TCP6);
    expect(wild.local).toEqual({ ip: '::', port: 5432 });
    expect(mapped.remote).toEqual({ ip: '10.0.1.5', port: 5432 });
  });

  it('rejects another file and a malformed line, naming the line', () => {
    expect(() => parseProcNetTcp('Inter-|   Receive\n')).toThrow(/not a \/proc\/net\/tcp table/);
    expect(() => parseProcNetTcp(TCP.replace('0A 0000', 'ZZ 0000'))).toThrow(expect.objectContaining({ line: 2, message: 'unknown TCP state ZZ' }));
  });

  it('reads socket inodes from fd links and names programs run by a runtime by their file', () => {
    expect(socketInode('socket:[1002]')).toBe(1002);
    expect(socketInode('pipe:[7]')).toBeNull();
    expect(programName({ comm: 'node', argv: parseCmdline('node\0--import\0tsx\0/srv/app/server.ts\0') })).toBe('node:server.ts');
    expect(programName({ comm: 'java', argv: ['java', '-Xmx1g', '-jar', '/opt/orders.jar'] })).toBe('java:orders.jar');
    expect(programName({ comm: 'postgres', argv: ['/usr/lib/postgresql/16/bin/postgres', '-D', '/data'] })).toBe('postgres');
  });
});

describe('a host snapshot as CIs and edges', () => {
  const proc = (pid: number, comm: string, ...args: string[]) => ({ pid, comm, argv: [comm, ...args] });
  const snapshot: HostSnapshot = {
    hostname: 'web-01', ips: ['10.0.1.11'], at: '2026-01-01T00:00:00.000Z',
    sockets: [...parseProcNetTcp(TCP), ...parseProcNetTcp(TCP6)],
    owners: new Map([[1001, proc(10, 'node', 'api.mjs')], [1003, proc(10, 'node', 'api.mjs')], [1002, proc(20, 'curl')], [1004, proc(20, 'curl')], [2001, proc(30, 'postgres')], [2002, proc(10, 'node', 'api.mjs')]]),
  };
  const out = snapshotToIngest(snapshot);
  const edge = (r: (typeof out.relations)[number]) => `${(r.from as { name: string }).name} ${r.type} ${(r.to as { name?: string }).name ?? (r.to as { identifiers?: { ip?: string } }).identifiers?.ip}`;

  it('makes the host, a service per listening program, and RUNS_ON edges', () => {
    expect(out.cis.map((c) => `${c.class}:${c.name}`)).toEqual(['host:web-01', 'service:web-01/node:api.mjs', 'service:web-01/postgres', 'service:web-01/curl', 'host:141.94.58.42', 'host:10.0.1.5']);
    expect(out.cis[1].attributes).toEqual({ program: 'node:api.mjs', listenPorts: [8080] });
    expect(out.relations.filter((r) => r.type === 'RUNS_ON').map(edge)).toEqual([
      'web-01/node:api.mjs RUNS_ON 10.0.1.11', 'web-01/postgres RUNS_ON 10.0.1.11', 'web-01/curl RUNS_ON 10.0.1.11',
    ]);
  });

  it('makes observed DEPENDS_ON edges for outgoing connections only: to a local listener, or to a remote host by ip', () => {
    expect(out.relations.filter((r) => r.type === 'DEPENDS_ON').map(edge)).toEqual([
      'web-01/curl DEPENDS_ON web-01/node:api.mjs',
      'web-01/curl DEPENDS_ON 141.94.58.42',
      'web-01/node:api.mjs DEPENDS_ON 10.0.1.5',
    ]);
    expect(out.relations.find((r) => edge(r) === 'web-01/node:api.mjs DEPENDS_ON 10.0.1.5')).toMatchObject({ provenance: 'observed', attributes: { ports: [5432] }, observed: { calls: 1, lastSeen: '2026-01-01T00:00:00.000Z' } });
  });
});

describe('netstat collector on this machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-netstat-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  /** Start `node file args`, resolve with its first line of output. */
  const start = (file: string, source: string, ...args: string[]) => new Promise<string>((resolve, reject) => {
    writeFileSync(join(dir, file), source);
    const child = spawn(process.execPath, [join(dir, file), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
  });

  it('finds the edge between two processes talking TCP over loopback', async () => {
    const port = await start('sg-echo-server.mjs', `import net from 'node:net';
      const s = net.createServer((c) => c.pipe(c)).listen(0, '127.0.0.1', () => console.log(s.address().port));`);
    await start('sg-echo-client.mjs', `import net from 'node:net';
      const c = net.connect(Number(process.argv[2]), '127.0.0.1', () => { c.write('hi'); console.log('connected'); });
      setInterval(() => c.write('.'), 1000);`, port);

    const collected = await netstatCollector.collect({ inputs: [], options: {}, progress: () => {} });
    const host = (await readProc()).hostname;
    const dep = collected.relations.find((r) => r.type === 'DEPENDS_ON' && (r.from as { name: string }).name === `${host}/node:sg-echo-client.mjs`);
    expect(dep).toMatchObject({ to: { class: 'service', name: `${host}/node:sg-echo-server.mjs` }, provenance: 'observed', attributes: { ports: [Number(port)] }, observed: { calls: 1 } });
    expect(collected.cis.find((c) => c.name === `${host}/node:sg-echo-server.mjs`)?.attributes).toEqual({ program: 'node:sg-echo-server.mjs', listenPorts: [Number(port)] });
    await expectValidBatch('netstat', collected);
  });
});
