import { isIP } from 'node:net';
import type { CiRef, IngestCi, IngestRelation } from '../../server/model/ingest.ts';
import type { Collected } from '../types.ts';
import { firstProblem, Instance, NetworkInterface, Reservation, Subnet, Vpc, type Tag } from './shapes.ts';

/** What EC2 answered: DescribeInstances' reservations and DescribeNetworkInterfaces' interfaces, each record unchecked. */
export interface Ec2Inventory {
  reservations: readonly unknown[];
  networkInterfaces: readonly unknown[];
  /** DescribeVpcs and DescribeSubnets: their Name tags and address ranges (optional; ids name them otherwise). */
  vpcs?: readonly unknown[];
  subnets?: readonly unknown[];
}

export interface Ec2TransformOptions {
  /** The region the answers came from (live); else each record's availability zone tells it. */
  region?: string;
  /** The account, for records that do not carry their owner. */
  account?: string;
}

/** One account and region: a run of its own, so that completing it retires only what vanished there. */
export interface Ec2Run extends Collected {
  account: string;
  region: string;
}

const CLOUD = 'aws';

/** us-east-1d → us-east-1; a Local Zone's us-west-2-lax-1a → us-west-2. */
export function regionOfZone(zone: string | undefined): string | undefined {
  return zone ? /^([a-z]{2}(?:-[a-z]+)+?-\d+)/.exec(zone)?.[1] : undefined;
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

const hostRef = (instanceId: string): CiRef => ({ class: 'host', identifiers: { cloud: CLOUD, instanceId } });
const resourceRef = (cls: 'network' | 'cloud_resource', resourceId: string): CiRef => ({ class: cls, identifiers: { cloud: CLOUD, resourceId } });

function tagsOf(tags: readonly Tag[] | null | undefined): Record<string, string> {
  // Tag keys are the account's own words ('__proto__' is a valid one): a prototype-less object keeps every key as data.
  const out: Record<string, string> = Object.create(null);
  for (const t of tags ?? []) out[t.Key] = t.Value ?? '';
  return out;
}

/** The first of these tags that holds a value: teams spell them differently. */
function tagValue(tags: Record<string, string>, keys: readonly string[]): string | undefined {
  for (const k of keys) if (tags[k]?.trim()) return tags[k].trim();
  return undefined;
}

const OWNER_TAGS = ['Owner', 'owner', 'Team', 'team'];
const ENVIRONMENT_TAGS = ['Environment', 'environment', 'Env', 'env'];

/** Drops the keys whose value is undefined, so assertions say only what EC2 said. */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

class RunBuilder {
  readonly cis = new Map<string, IngestCi>();
  readonly relations = new Map<string, IngestRelation>();
  readonly instances = new Set<string>();
  readonly terminated = new Set<string>();
  readonly warnings: string[] = [];
  /** Values already reported as malformed: an instance's address is also its interface's, and one line says it. */
  private readonly reported = new Set<string>();
  constructor(readonly account: string, readonly region: string) {}

  reportOnce(value: string, message: string): void {
    if (this.reported.has(value)) return;
    this.reported.add(value);
    this.warnings.push(message);
  }

  get where() {
    return { account: this.account, region: this.region };
  }

  /** A resource several records mention is one CI: later mentions add what they know. */
  resource(cls: 'network' | 'cloud_resource', id: string, name: string, attributes: Record<string, unknown>, ownRecord?: { name: string }): CiRef {
    const key = `${cls}|${id}`;
    const known = this.cis.get(key);
    if (known) {
      known.attributes = { ...known.attributes, ...defined(attributes) };
      // The resource's own record (DescribeVpcs, DescribeSubnets) names it; a mention elsewhere knows only its id.
      if (ownRecord) known.name = ownRecord.name;
    }
    else this.cis.set(key, { class: cls, name, identifiers: { cloud: CLOUD, resourceId: id }, attributes: { ...defined(attributes), ...this.where } });
    return resourceRef(cls, id);
  }

  /** `from` needs `to`: when `to` fails, `from` is hurt (server/model/relations.ts reads DEPENDS_ON so). */
  dependsOn(from: CiRef, to: CiRef, attributes?: Record<string, unknown>): void {
    const key = JSON.stringify([from, to]);
    if (!this.relations.has(key)) this.relations.set(key, { type: 'DEPENDS_ON', from, to, provenance: 'declared', ...(attributes ? { attributes } : {}) });
  }

  securityGroups(groups: NetworkInterface['Groups'], vpcId: string | undefined): CiRef[] {
    return (groups ?? []).map((g) =>
      this.resource('cloud_resource', g.GroupId, g.GroupName ? `${g.GroupName} (${g.GroupId})` : g.GroupId, { kind: 'security_group', groupId: g.GroupId, groupName: g.GroupName, vpcId }));
  }

  network(kind: 'vpc' | 'subnet', id: string, attributes: Record<string, unknown>, named?: { name: string }): CiRef {
    return this.resource('network', id, named?.name ?? id, { kind, ...attributes }, named);
  }

  /** Whether this run already holds the resource (a VPC its instances are in). */
  holds(cls: 'network' | 'cloud_resource', id: string): boolean {
    return this.cis.has(`${cls}|${id}`);
  }

  run(): Ec2Run {
    return {
      account: this.account, region: this.region, scope: `aws:${this.account}:${this.region}`,
      cis: [...this.cis.values()], relations: [...this.relations.values()], warnings: this.warnings,
    };
  }
}

type Report = (value: string, message: string) => void;

/** How a record that did not parse is named: its id when it has one, else its place in the answer. */
function idOf(raw: unknown, key: string, index: number): string {
  const id = (raw as Record<string, unknown> | null)?.[key];
  return typeof id === 'string' ? id : `#${index + 1}`;
}

/** An address EC2 reported: kept only when it is one, and said when it is not (the fixtures' "345.345.345.345"). */
function address(value: string | undefined, what: string, report: Report): string | undefined {
  if (value === undefined) return undefined;
  if (isIP(value)) return value;
  report(value, `${what} ${JSON.stringify(value)} is not an IP address: left out`);
  return undefined;
}

function dnsName(value: string | undefined, what: string, report: Report): string | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (DNS_NAME.test(lower)) return lower;
  report(value, `${what} ${JSON.stringify(value)} is not a DNS name: left out`);
  return undefined;
}

function interfaceAttributes(n: NetworkInterface, warn: Report) {
  const what = `network interface ${n.NetworkInterfaceId}:`;
  return {
    kind: 'network_interface',
    description: n.Description,
    interfaceType: n.InterfaceType,
    status: n.Status,
    macAddress: n.MacAddress,
    vpcId: n.VpcId,
    subnetId: n.SubnetId,
    privateIp: address(n.PrivateIpAddress, `${what} private IP`, warn),
    privateDnsName: dnsName(n.PrivateDnsName, `${what} private DNS name`, warn),
    publicIp: address(n.Association?.PublicIp, `${what} public IP`, warn),
    requesterId: n.RequesterId,
    attachedTo: n.Attachment?.InstanceId ?? n.Attachment?.InstanceOwnerId,
  };
}

const interfaceName = (n: NetworkInterface) => (n.Description ? `${n.Description} (${n.NetworkInterfaceId})` : n.NetworkInterfaceId);

function addInstance(b: RunBuilder, i: Instance, reservation: Reservation): void {
  const id = i.InstanceId;
  const warn: Report = (value, m) => b.reportOnce(value, `instance ${id}: ${m}`);
  const tags = tagsOf(i.Tags);
  const privateIp = address(i.PrivateIpAddress, 'private IP', warn);
  const privateDns = dnsName(i.PrivateDnsName, 'private DNS name', warn);
  const publicIp = address(i.PublicIpAddress, 'public IP', warn);
  const publicDns = dnsName(i.PublicDnsName, 'public DNS name', warn);
  const owner = tagValue(tags, OWNER_TAGS);
  const environment = tagValue(tags, ENVIRONMENT_TAGS);
  b.instances.add(id);
  // The private address and name are what netstat on the instance and nmap inside its VPC report, so a host they
  // found identifies with it; a CI holds one value per identifier, and the public ones are attributes.
  b.cis.set(`host|${id}`, {
    class: 'host',
    name: tags.Name?.trim() || id,
    identifiers: { cloud: CLOUD, instanceId: id, ...(privateIp ? { ip: privateIp } : {}), ...(privateDns ? { fqdn: privateDns } : {}) },
    ...(owner ? { owner } : {}),
    ...(environment ? { environment } : {}),
    attributes: defined({
      ...b.where,
      availabilityZone: i.Placement?.AvailabilityZone,
      state: i.State?.Name,
      stateReason: i.StateTransitionReason,
      instanceType: i.InstanceType,
      imageId: i.ImageId,
      launchTime: i.LaunchTime,
      architecture: i.Architecture,
      platform: i.PlatformDetails,
      keyName: i.KeyName,
      iamInstanceProfile: i.IamInstanceProfile?.Arn ?? undefined,
      reservationId: reservation.ReservationId,
      vpcId: i.VpcId,
      subnetId: i.SubnetId,
      privateIp,
      privateDnsName: privateDns,
      publicIp,
      publicDnsName: publicDns,
      ipv6: i.Ipv6Address,
      autoScalingGroup: tags['aws:autoscaling:groupName'],
      tags,
    }),
  });
  const host = hostRef(id);
  const zone = i.Placement?.AvailabilityZone;
  if (i.VpcId) b.dependsOn(host, b.network('vpc', i.VpcId, {}));
  if (i.SubnetId) b.dependsOn(host, b.network('subnet', i.SubnetId, { vpcId: i.VpcId, availabilityZone: zone }));
  for (const sg of b.securityGroups(i.SecurityGroups, i.VpcId)) b.dependsOn(host, sg);
  for (const n of i.NetworkInterfaces ?? []) {
    const eni = b.resource('cloud_resource', n.NetworkInterfaceId, interfaceName(n), interfaceAttributes(n, warn));
    b.dependsOn(host, eni, defined({ deviceIndex: n.Attachment?.DeviceIndex ?? undefined }));
  }
}

function addInterface(b: RunBuilder, n: NetworkInterface, instancesRead: boolean): void {
  const warn: Report = (value, m) => b.reportOnce(value, m);
  const eni = b.resource('cloud_resource', n.NetworkInterfaceId, interfaceName(n), { ...interfaceAttributes(n, warn), availabilityZone: n.AvailabilityZone });
  if (n.SubnetId) b.dependsOn(eni, b.network('subnet', n.SubnetId, { vpcId: n.VpcId, availabilityZone: n.AvailabilityZone }));
  for (const sg of b.securityGroups(n.Groups, n.VpcId)) b.dependsOn(eni, sg);
  const instanceId = n.Attachment?.InstanceId;
  if (!instanceId || b.terminated.has(instanceId)) return;
  // Read instance → interface, as from DescribeInstances: the instance loses its network when the interface fails.
  b.dependsOn(hostRef(instanceId), eni, defined({ deviceIndex: n.Attachment?.DeviceIndex ?? undefined }));
  if (instancesRead && !b.instances.has(instanceId)) {
    b.warnings.push(`network interface ${n.NetworkInterfaceId} is attached to ${instanceId}, which the instances read do not list: its relation lands only if the server knows that instance`);
  }
}

function addVpc(b: RunBuilder, v: Vpc): void {
  const tags = tagsOf(v.Tags);
  b.network('vpc', v.VpcId, defined({ cidr: v.CidrBlock, isDefault: v.IsDefault ?? undefined, state: v.State, tags }), { name: tags.Name?.trim() || v.VpcId });
}

function addSubnet(b: RunBuilder, n: Subnet): void {
  const tags = tagsOf(n.Tags);
  const subnet = b.network('subnet', n.SubnetId, defined({
    vpcId: n.VpcId, availabilityZone: n.AvailabilityZone, cidr: n.CidrBlock, state: n.State, mapPublicIpOnLaunch: n.MapPublicIpOnLaunch ?? undefined, tags,
  }), { name: tags.Name?.trim() || n.SubnetId });
  if (n.VpcId) b.dependsOn(subnet, b.network('vpc', n.VpcId, {}));
}

/**
 * EC2's answers → one run per account and region: instances as hosts, VPCs and subnets as networks, security
 * groups and network interfaces as cloud resources, each instance DEPENDS_ON its VPC, subnet, security groups and
 * interfaces, each interface DEPENDS_ON its subnet and security groups, and each subnet read DEPENDS_ON its VPC. Terminated instances are left out, so a
 * completed run retires them; stopped ones stay, with their state. A record that does not parse, or whose account
 * or region cannot be told, is left out alone and named in the warnings.
 */
export function transformEc2(inventory: Ec2Inventory, options: Ec2TransformOptions = {}): { runs: Ec2Run[]; warnings: string[] } {
  const runs = new Map<string, RunBuilder>();
  const warnings: string[] = [];
  const runFor = (account: string | undefined, zone: string | undefined, what: string): RunBuilder | undefined => {
    const acct = account ?? options.account;
    const region = options.region ?? regionOfZone(zone);
    if (!acct || !region) {
      warnings.push(`${what}: no ${acct ? 'availability zone to tell its region (give --region)' : 'owner account (give --account)'}; left out`);
      return undefined;
    }
    const key = `${acct}\u0000${region}`;
    let b = runs.get(key);
    if (!b) runs.set(key, (b = new RunBuilder(acct, region)));
    return b;
  };

  inventory.reservations.forEach((raw, r) => {
    const reservation = Reservation.safeParse(raw);
    if (!reservation.success) {
      warnings.push(`reservation #${r + 1}: ${firstProblem(reservation.error)}; left out`);
      return;
    }
    const rid = reservation.data.ReservationId ?? `#${r + 1}`;
    reservation.data.Instances.forEach((rawInstance, n) => {
      const parsed = Instance.safeParse(rawInstance);
      if (!parsed.success) {
          warnings.push(`reservation ${rid}, instance ${idOf(rawInstance, 'InstanceId', n)}: ${firstProblem(parsed.error)}; left out`);
        return;
      }
      const i = parsed.data;
      const b = runFor(reservation.data.OwnerId, i.Placement?.AvailabilityZone, `instance ${i.InstanceId}`);
      if (!b) return;
      if (i.State?.Name === 'terminated') {
        b.terminated.add(i.InstanceId);
        b.warnings.push(`instance ${i.InstanceId} is terminated: left out, so a completed run retires it`);
        return;
      }
      addInstance(b, i, reservation.data);
    });
  });

  const instancesRead = inventory.reservations.length > 0;
  inventory.networkInterfaces.forEach((raw, n) => {
    const parsed = NetworkInterface.safeParse(raw);
    if (!parsed.success) {
      warnings.push(`network interface ${idOf(raw, 'NetworkInterfaceId', n)}: ${firstProblem(parsed.error)}; left out`);
      return;
    }
    const b = runFor(parsed.data.OwnerId, parsed.data.AvailabilityZone, `network interface ${parsed.data.NetworkInterfaceId}`);
    if (b) addInterface(b, parsed.data, instancesRead);
  });

  (inventory.subnets ?? []).forEach((raw, n) => {
    const parsed = Subnet.safeParse(raw);
    if (!parsed.success) {
      warnings.push(`subnet ${idOf(raw, 'SubnetId', n)}: ${firstProblem(parsed.error)}; left out`);
      return;
    }
    const b = runFor(parsed.data.OwnerId, parsed.data.AvailabilityZone, `subnet ${parsed.data.SubnetId}`);
    if (b) addSubnet(b, parsed.data);
  });

  (inventory.vpcs ?? []).forEach((raw, n) => {
    const parsed = Vpc.safeParse(raw);
    if (!parsed.success) {
      warnings.push(`VPC ${idOf(raw, 'VpcId', n)}: ${firstProblem(parsed.error)}; left out`);
      return;
    }
    const v = parsed.data;
    // A VPC spans a region's zones and its record names none: the region is the one read live, or that of the
    // run whose instances, interfaces or subnets are in it.
    const holder = options.region ? undefined : [...runs.values()].find((r) => r.holds('network', v.VpcId) && (!v.OwnerId || r.account === v.OwnerId));
    const b = holder ?? runFor(v.OwnerId, undefined, `VPC ${v.VpcId}`);
    if (b) addVpc(b, v);
  });

  // The caller named the account and the region: that run is made even when EC2 listed nothing there, so that
  // completing it retires what vanished (the removal guard asks for --force before it retires a whole scope).
  if (options.account && options.region) runFor(options.account, undefined, 'the account and region given');

  const sorted = [...runs.values()].sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
  // `warnings`: records left out before they could be placed in a run.
  return { runs: sorted.map((b) => b.run()), warnings };
}
