import type { Collected, CollectInput, Collector } from '../types.ts';
import { CollectError } from '../types.ts';
import { readInventoryFiles } from './files.ts';
import { transformEc2, type Ec2Run } from './transform.ts';

const list = (o: CollectInput['options'], k: string): string[] => {
  const v = o[k];
  const values = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  // `--region us-east-1,eu-west-1` as well as the option repeated.
  return values.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
};
const opt = (o: CollectInput['options'], k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);

/** Warnings about records that made no run are shown with the first run; with no run at all there is nothing to push. */
function withLeftOut(runs: Ec2Run[], leftOut: string[]): Collected[] {
  if (runs.length === 0) {
    // Nothing tells the account of an answer that lists nothing: an empty run needs it named.
    throw new CollectError(`no instance or network interface could be read${leftOut.length ? `: ${leftOut.slice(0, 5).join('; ')}` : ' (the inputs list none)'}; to retire what vanished from an account and region that now hold none, give --account and --region`);
  }
  return runs.map((r, i) => (i === 0 ? { ...r, warnings: [...leftOut, ...r.warnings] } : r));
}

/** Get (saved answers, or the EC2 API live) → transform: one run per account and region. */
async function collectRuns(input: CollectInput): Promise<Collected[]> {
  const o = input.options;
  const account = opt(o, 'account');
  if (o.live === true) {
    if (['instances', 'network-interfaces', 'vpcs', 'subnets'].some((k) => list(o, k).length)) throw new CollectError('give either --live or saved answers (--instances, --network-interfaces, --vpcs, --subnets), not both');
    const { readLive } = await import('./live.ts');
    // compose declares --profile repeatable, and the command line has one parser for every source: a list here too.
    const profiles = list(o, 'profile');
    if (profiles.length > 1) throw new CollectError('give one --profile (one account\'s credentials a command)');
    const regions = await readLive({ regions: list(o, 'region'), profile: profiles[0], endpoint: opt(o, 'endpoint'), progress: input.progress });
    const runs: Ec2Run[] = [];
    const leftOut: string[] = [];
    for (const r of regions) {
      const t = transformEc2(r, { region: r.region, account });
      runs.push(...t.runs);
      leftOut.push(...t.warnings);
    }
    return withLeftOut(runs, leftOut);
  }
  const files = { reservations: list(o, 'instances'), networkInterfaces: list(o, 'network-interfaces'), vpcs: list(o, 'vpcs'), subnets: list(o, 'subnets') };
  if (input.inputs.length) throw new CollectError(`name saved answers with --instances, --network-interfaces, --vpcs and --subnets (got ${input.inputs.join(' ')})`);
  if (!Object.values(files).some((f) => f.length)) throw new CollectError('give --instances FILE (and --network-interfaces, --vpcs, --subnets FILE), or --live');
  const inventory = await readInventoryFiles(files);
  input.progress(`read ${inventory.reservations.length} reservations, ${inventory.networkInterfaces.length} network interfaces, ${inventory.vpcs.length} VPCs and ${inventory.subnets.length} subnets`);
  const regions = list(o, 'region');
  if (regions.length > 1) throw new CollectError('saved answers come from one region: give at most one --region (each record\'s availability zone tells it otherwise)');
  const t = transformEc2(inventory, { region: regions[0], account });
  return withLeftOut(t.runs, t.warnings);
}

export const awsCollector: Collector = {
  source: 'aws',
  summary: 'EC2 instances, VPCs, subnets, security groups and network interfaces, per account and region (saved answers or live)',
  usage:
    'servicegraph collect aws --instances FILE [--network-interfaces FILE] [--vpcs FILE] [--subnets FILE] [--region R] [--account ID]\n' +
    '      servicegraph collect aws --live [--region R[,R...]] [--profile P] [--endpoint URL]',
  options: {
    instances: { type: 'string', multiple: true },
    'network-interfaces': { type: 'string', multiple: true },
    vpcs: { type: 'string', multiple: true },
    subnets: { type: 'string', multiple: true },
    region: { type: 'string', multiple: true },
  },
  collectRuns,
  async collect(input: CollectInput): Promise<Collected> {
    const runs = await collectRuns(input);
    if (runs.length !== 1) throw new CollectError(`the inputs cover ${runs.length} accounts or regions (${runs.map((r) => r.scope).join(', ')}): each is a run of its own`);
    return runs[0];
  },
};
