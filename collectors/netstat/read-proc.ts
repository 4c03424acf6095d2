import { readFile, readdir, readlink } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { CollectError } from '../types.ts';
import { parseProcNetTcp, ProcNetError, socketInode, type TcpSocket } from './proc-net.ts';
import { parseCmdline, type ProcessInfo } from './processes.ts';
import type { HostSnapshot } from './transform.ts';

/**
 * The fetch: one look at /proc. Processes come and go while it reads, and other users' fds are
 * unreadable without root, so a process that vanishes or refuses is skipped; a missing or
 * malformed /proc/net/tcp is an error (this is not Linux, or not a /proc it understands).
 */
export async function readProc(root = '/proc'): Promise<HostSnapshot> {
  const sockets: TcpSocket[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const path = `${root}/net/${table}`;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      if (table === 'tcp6') continue; // IPv6 disabled
      throw new CollectError('cannot read the TCP table: netstat collection needs Linux /proc', path);
    }
    try {
      sockets.push(...parseProcNetTcp(text));
    } catch (e) {
      if (e instanceof ProcNetError) throw new CollectError(e.message, path, e.line);
      throw e;
    }
  }
  const wanted = new Set(sockets.map((s) => s.inode).filter((i) => i > 0));
  const owners = new Map<number, ProcessInfo>();
  const pids = (await readdir(root)).filter((d) => /^\d+$/.test(d));
  await Promise.all(pids.map(async (pid) => {
    const fdDir = `${root}/${pid}/fd`;
    const fds = await readdir(fdDir).catch(() => [] as string[]);
    const inodes: number[] = [];
    for (const fd of fds) {
      const target = await readlink(`${fdDir}/${fd}`).catch(() => '');
      const inode = socketInode(target);
      if (inode !== null && wanted.has(inode)) inodes.push(inode);
    }
    if (!inodes.length) return;
    const comm = (await readFile(`${root}/${pid}/comm`, 'utf8').catch(() => '')).trim();
    const argv = parseCmdline(await readFile(`${root}/${pid}/cmdline`, 'utf8').catch(() => ''));
    const info = { pid: Number(pid), comm, argv };
    for (const i of inodes) if (!owners.has(i)) owners.set(i, info);
  }));
  const name = hostname();
  const ips = Object.values(networkInterfaces()).flat()
    .filter((a) => a && !a.internal && !a.address.startsWith('fe80:'))
    .map((a) => a!.address);
  return { hostname: name, ...(name.includes('.') ? { fqdn: name.toLowerCase() } : {}), ips, sockets, owners, at: new Date().toISOString() };
}
