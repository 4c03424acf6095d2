import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollectCommand, type CliIo } from '../../../collectors/cli.ts';
import { allCis, startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { DATA } from '../answer-keys.ts';

const INSTANCES = `${DATA}/aws-ec2/cartography_ec2_instances.json`;
const INTERFACES = `${DATA}/aws-ec2/cartography_ec2_network_interfaces.json`;

function captureIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {}, out: () => out, err: () => err };
}

interface Ci { id: string; class: string; name: string; identifiers: Record<string, string>; lifecycle: string }

describe('servicegraph collect aws, from saved answers, into a real server', () => {
  let server: TestServer;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'sg-aws-'));
  beforeAll(async () => {
    server = await startTestServer();
    token = await server.tokenFor('collector');
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const collect = async (...args: string[]) => {
    const io = captureIo();
    const code = await runCollectCommand(['aws', ...args, '--server', server.url, '--token', token], io);
    return { code, out: io.out(), err: io.err() };
  };
  const hostOf = async (instanceId: string) => (await allCis<Ci>(server)).find((c) => c.class === 'host' && c.identifiers.instanceId === instanceId);

  it('meets a host another collector found at an instance\'s private address, and names it by its Name tag', async () => {
    const nmap = await server.api('/api/v1/ingest', { token, body: { source: 'nmap', scope: 'scan', cis: [{ class: 'host', name: '23.23.23.23', identifiers: { ip: '23.23.23.23' } }] } });
    expect(nmap.status).toBe(200);
    const r = await collect('--instances', INSTANCES, '--json');
    expect(r.err).toMatch(/warning: instance i-01: private IP "345.345.345.345" is not an IP address: left out/);
    expect(r.code).toBe(0);
    // The file holds two accounts' reservations (DESCRIBE_INSTANCES and INSTANCE_WITH_IAM_PROFILE): a run each.
    const summary = JSON.parse(r.out);
    expect(summary.runs.map((s: { scope: string; runCompleted: boolean }) => [s.scope, s.runCompleted])).toEqual([['aws:1234:us-east-1', true], ['aws:OWNER_ACCOUNT_ID:us-east-1', true]]);
    expect(summary.runs[1]).toMatchObject({ cis: { created: 13, updated: 1 }, relations: { created: 19 } });

    const i04 = (await hostOf('i-04'))!;
    expect(i04).toMatchObject({ name: 'PREFIX__ANOTHER_SERVICE_NAME', identifiers: { ip: '23.23.23.23', instanceId: 'i-04' } });
    const hosts = (await allCis<Ci>(server)).filter((c) => c.class === 'host');
    expect(hosts.map((h) => h.identifiers.instanceId).sort()).toEqual(['i-00bd', 'i-01', 'i-02', 'i-03', 'i-04']);
    const detail = await server.api(`/api/v1/cis/${i04.id}`);
    expect(detail.body.sources.map((s: { source: string }) => s.source).sort()).toEqual(['aws', 'nmap']);
  });

  it('shows what a subnet failing takes down: the three instances in it', async () => {
    const subnet = (await allCis<Ci>(server)).find((c) => c.identifiers.resourceId === 'SOME_SUBNET_1')!;
    const impact = await server.api('/api/v1/impact', { token: await server.tokenFor('viewer'), body: { failed: [{ ci: subnet.id, state: 'down' }] } });
    expect(impact.status).toBe(200);
    const down = impact.body.impacted.filter((i: { class: string; state: string }) => i.class === 'host' && i.state === 'down').map((i: { name: string }) => i.name).sort();
    expect(down).toEqual(['MY_OTHER_SERVICE_NAME', 'PREFIX__ANOTHER_SERVICE_NAME', 'PREFIX__ANOTHER_SERVICE_NAME']);
  });

  it('retires an instance that vanished from its account and region once the run completes, and leaves the other runs alone', async () => {
    const i04 = (await hostOf('i-04'))!;
    const doc = JSON.parse(readFileSync(INSTANCES, 'utf8'));
    const r3 = doc.DESCRIBE_INSTANCES.Reservations[2];
    r3.Instances = r3.Instances.filter((i: { InstanceId: string }) => i.InstanceId !== 'i-04');
    const file = join(dir, 'instances.json');
    writeFileSync(file, JSON.stringify({ Reservations: doc.DESCRIBE_INSTANCES.Reservations }));
    // One instance of four is 7 of the scope's 33 items (2 CIs, 5 relations): past the removal guard's 20%.
    const guarded = await collect('--instances', file);
    expect(guarded.code).toBe(1);
    expect(guarded.err).toMatch(/removal_guard: completing this run would drop 7 of 33 items/);
    const r = await collect('--instances', file, '--json', '--force');
    expect(r.err).not.toMatch(/failed|refused|error/);
    expect(r.code).toBe(0);
    // eni-76 is retired with the relations to it; i-04 loses the aws assertion (nmap still asserts that host).
    expect(JSON.parse(r.out)).toMatchObject({ scope: 'aws:OWNER_ACCOUNT_ID:us-east-1', runCompleted: true, cis: { retired: 1 } });
    const gone = await server.api(`/api/v1/cis/${i04.id}`);
    // nmap still asserts the host at 23.23.23.23: only the aws assertion is withdrawn.
    expect(gone.body.sources.filter((s: { source: string; active: boolean }) => s.active).map((s: { source: string }) => s.source)).toEqual(['nmap']);
    expect((await allCis<Ci>(server)).some((c) => c.identifiers.resourceId === 'eni-76')).toBe(false);
    expect(await hostOf('i-00bd')).toBeDefined();
  });

  it('retires a whole account and region that now holds nothing only when named and forced', async () => {
    const file = join(dir, 'empty.json');
    writeFileSync(file, JSON.stringify({ Reservations: [] }));
    const unnamed = await collect('--instances', file);
    expect(unnamed.code).toBe(1);
    expect(unnamed.err).toMatch(/no instance or network interface could be read \(the inputs list none\); to retire what vanished from an account and region that now hold none, give --account and --region/);
    const named = ['--instances', file, '--account', '1234', '--region', 'us-east-1'];
    expect((await collect(...named)).err).toMatch(/removal_guard/);
    const forced = await collect(...named, '--force', '--json');
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.out)).toMatchObject({ scope: 'aws:1234:us-east-1', runCompleted: true, cis: { retired: 5 } });
    expect(await hostOf('i-00bd')).toBeUndefined();
  });

  it('pushes the good items when some are refused, lists the refused ones and completes none of their runs', async () => {
    const r = await collect('--instances', INSTANCES, '--network-interfaces', INTERFACES);
    expect(r.code).toBe(1);
    // The interfaces file names two instances that the instances file does not hold.
    expect(r.err).toMatch(/refused relation .*i-0d7654b940dcf5766/);
    expect(r.err).toMatch(/the run of aws:000000000000:eu-north-1 was not completed, so nothing was retired there/);
    expect(r.out).toMatch(/aws:OWNER_ACCOUNT_ID:us-east-1, run .* completed\)/);
    const elb = (await allCis<Ci>(server)).find((c) => c.identifiers.resourceId === 'eni-0d9877f559c240362');
    expect(elb).toMatchObject({ class: 'cloud_resource', name: 'ELB new-life-001 (eni-0d9877f559c240362)' });
  });

  it('keeps two accounts\' instances apart when their default VPCs give them one address and one Name tag', async () => {
    const instance = (id: string) => ({ InstanceId: id, State: { Name: 'running' }, Placement: { AvailabilityZone: 'eu-west-1a' }, VpcId: `vpc-${id}`, PrivateIpAddress: '172.31.5.5', PrivateDnsName: 'ip-172-31-5-5.eu-west-1.compute.internal', Tags: [{ Key: 'Name', Value: 'bastion' }] });
    const file = join(dir, 'two-accounts.json');
    writeFileSync(file, JSON.stringify({ Reservations: [{ OwnerId: '111111111111', Instances: [instance('i-first')] }, { OwnerId: '222222222222', Instances: [instance('i-second')] }] }));
    expect((await collect('--instances', file)).code).toBe(0);
    const [first, second] = [(await hostOf('i-first'))!, (await hostOf('i-second'))!];
    expect(first.id).not.toBe(second.id);
    expect([first.name, second.name]).toEqual(['bastion', 'bastion']);
    // netstat on a host at that address meets the instance that had it first: the address identifies one CI.
    const netstat = await server.api('/api/v1/ingest', { token, body: { source: 'netstat', scope: 'netstat:bastion', cis: [{ class: 'host', name: 'ip-172-31-5-5', identifiers: { ip: '172.31.5.5' } }] } });
    expect(netstat.body.cis.created).toBe(0);
    const met = await server.api(`/api/v1/cis/${first.id}`);
    expect(met.body.sources.map((x: { source: string }) => x.source).sort()).toEqual(['aws', 'netstat']);
    // ... and keeps the Name tag: a person chose it, netstat's hostname is the image's default.
    expect((await allCis<Ci>(server)).filter((c) => c.name === 'bastion')).toHaveLength(2);
  });

  it('stops at a file that is not a describe-instances answer, pushing nothing', async () => {
    const r = await collect('--instances', INTERFACES);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cartography_ec2_network_interfaces.json: no Reservations: give the output of `aws ec2 describe-instances --output json`/);
    expect(r.err).toMatch(/nothing was pushed/);
    const vpcs = await collect('--instances', INSTANCES, '--vpcs', INSTANCES);
    expect(vpcs.code).toBe(1);
    expect(vpcs.err).toMatch(/no Vpcs: give the output of `aws ec2 describe-vpcs --output json`/);
    const many = await collect('--instances', INSTANCES, '--scope', 'mine');
    expect(many.code).toBe(2);
    expect(many.err).toMatch(/--scope names one scope, and this collection covers 2/);
  });
});
