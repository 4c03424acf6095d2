import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IngestCi, IngestRelation, type CiRef } from '../../../server/model/ingest.ts';
import { relationTypes } from '../../../server/model/relations.ts';
import { regionOfZone, transformEc2, type Ec2Run } from '../../../collectors/aws/transform.ts';
import { DATA } from '../answer-keys.ts';

const fixture = (name: string) => JSON.parse(readFileSync(`${DATA}/aws-ec2/${name}`, 'utf8'));
const instancesFile = fixture('cartography_ec2_instances.json');
const interfacesFile = fixture('cartography_ec2_network_interfaces.json');

/** A relation end as the answer keys write it: the instance id or the resource id. */
const idOf = (ref: CiRef) => ('id' in ref ? ref.id : ref.identifiers!.instanceId ?? ref.identifiers!.resourceId);
const kindOf = (run: Ec2Run, ref: CiRef) => {
  if ('id' in ref) return '?';
  if (ref.class === 'host') return 'instance';
  const ci = run.cis.find((c) => c.identifiers!.resourceId === ref.identifiers!.resourceId)!;
  return ({ vpc: 'VPC', subnet: 'subnet', security_group: 'SG', network_interface: 'ENI' } as Record<string, string>)[ci.attributes!.kind as string];
};
const pairs = (run: Ec2Run) => run.relations.map((r) => `${kindOf(run, r.from)} -> ${kindOf(run, r.to)}`);
const count = (list: string[]) => list.reduce<Record<string, number>>((o, k) => ({ ...o, [k]: (o[k] ?? 0) + 1 }), {});
const host = (run: Ec2Run, id: string) => run.cis.find((c) => c.class === 'host' && c.identifiers!.instanceId === id)!;

describe('DescribeInstances (Cartography\'s test answer) → hosts and their network', () => {
  const { runs, warnings } = transformEc2({ reservations: instancesFile.DESCRIBE_INSTANCES.Reservations, networkInterfaces: [] });
  const run = runs[0];

  it('is one run for the account and region the reservations name', () => {
    expect(warnings).toEqual([]);
    expect(runs.map((r) => r.scope)).toEqual(['aws:OWNER_ACCOUNT_ID:us-east-1']);
  });

  it('meets the answer key exactly: instance -> VPC, -> subnet (3 of 4: i-01 has none), -> SG (8), -> ENI (4)', () => {
    expect(count(pairs(run))).toEqual({ 'instance -> VPC': 4, 'instance -> subnet': 3, 'instance -> SG': 8, 'instance -> ENI': 4 });
    const subnets = run.relations.filter((r) => kindOf(run, r.to) === 'subnet').map((r) => idOf(r.from));
    expect(subnets.sort()).toEqual(['i-02', 'i-03', 'i-04']);
  });

  it('makes each instance a host identified by its instance id, its private address and DNS name, named by its Name tag', () => {
    expect(host(run, 'i-04')).toMatchObject({
      name: 'PREFIX__ANOTHER_SERVICE_NAME',
      identifiers: { cloud: 'aws', instanceId: 'i-04', ip: '23.23.23.23', fqdn: 'ip-23-23-23-23.ec2.internal' },
      attributes: { account: 'OWNER_ACCOUNT_ID', region: 'us-east-1', availabilityZone: 'us-east-1d', state: 'running', instanceType: 'r4.large', publicIp: '12.12.12.12', publicDnsName: 'ec2-12-12-12-12.compute-1.amazonaws.com', autoScalingGroup: 'PREFIX__ANOTHER_SERVICE_NAME' },
    });
    expect(host(run, 'i-04').attributes!.tags).toEqual({ 'aws:autoscaling:groupName': 'PREFIX__ANOTHER_SERVICE_NAME', Name: 'PREFIX__ANOTHER_SERVICE_NAME' });
    // i-03 and i-04 share a Name tag (one auto-scaling group): two hosts, told apart by their instance ids.
    expect(run.cis.filter((c) => c.name === 'PREFIX__ANOTHER_SERVICE_NAME').map((c) => c.identifiers!.instanceId)).toEqual(['i-03', 'i-04']);
  });

  it('pushes an instance with an address that is not one without it, and says which and why', () => {
    expect(host(run, 'i-01').identifiers).toEqual({ cloud: 'aws', instanceId: 'i-01', fqdn: 'ip-345-345-345-345.ec2.internal' });
    expect(host(run, 'i-02').identifiers).not.toHaveProperty('ip');
    expect(host(run, 'i-02').attributes).not.toHaveProperty('publicIp');
    expect(run.warnings).toEqual([
      'instance i-01: private IP "345.345.345.345" is not an IP address: left out',
      'instance i-02: private IP "567.567.567.567" is not an IP address: left out',
      'instance i-02: public IP "456.456.456.456" is not an IP address: left out',
      'instance i-03: private IP "789.789.789.789" is not an IP address: left out',
      'instance i-03: public IP "678.678.678.678" is not an IP address: left out',
    ]);
  });

  it('makes VPCs and subnets networks, security groups and interfaces cloud resources, each once, identified by their AWS id', () => {
    const byClass = count(run.cis.map((c) => `${c.class}/${c.attributes!.kind ?? 'instance'}`));
    expect(byClass).toEqual({ 'host/instance': 4, 'network/vpc': 1, 'network/subnet': 1, 'cloud_resource/security_group': 4, 'cloud_resource/network_interface': 4 });
    expect(run.cis.find((c) => c.identifiers!.resourceId === 'SOME_GROUP_ID_2')).toMatchObject({ name: 'MY_GROUP_NAME_2 (SOME_GROUP_ID_2)', attributes: { groupName: 'MY_GROUP_NAME_2', vpcId: 'SOME_VPC_ID' } });
    expect(run.cis.find((c) => c.identifiers!.resourceId === 'SOME_SUBNET_1')!.attributes).toMatchObject({ kind: 'subnet', vpcId: 'SOME_VPC_ID', availabilityZone: 'us-east-1d' });
  });

  it('reads every relation so that failure travels from the network to the instance', () => {
    for (const r of run.relations) {
      expect(r.type).toBe('DEPENDS_ON');
      expect(kindOf(run, r.from)).toBe('instance');
    }
    // DEPENDS_ON: when the target (the subnet) fails, the source (the instance) is hurt.
    expect(relationTypes.get('DEPENDS_ON')!.impact).toBe('toSource');
  });

  it('is what the ingest API accepts, item by item', () => {
    for (const ci of run.cis) expect(IngestCi.safeParse(ci).success).toBe(true);
    for (const r of run.relations) expect(IngestRelation.safeParse(r).success).toBe(true);
  });
});

describe('DescribeNetworkInterfaces (Cartography\'s test answer) → interfaces', () => {
  const { runs } = transformEc2({ reservations: [], networkInterfaces: interfacesFile.DESCRIBE_NETWORK_INTERFACES });
  const run = runs[0];

  it('meets the answer key exactly: 2 interfaces attached to instances, 3 in their subnet, 3 in their security group', () => {
    expect(run.scope).toBe('aws:000000000000:eu-north-1');
    expect(count(pairs(run))).toEqual({ 'instance -> ENI': 2, 'ENI -> subnet': 3, 'ENI -> SG': 3 });
    expect(run.relations.filter((r) => kindOf(run, r.from) === 'instance').map((r) => `${idOf(r.from)} -> ${idOf(r.to)}`)).toEqual([
      'i-0d7654b940dcf5766 -> eni-0e106a07c15ff7d14',
      'i-0892c8f9514ecffb7 -> eni-04b4289e1be7634e4',
    ]);
  });

  it('names an interface by its description when it has one, and keeps who requested it', () => {
    expect(run.cis.find((c) => c.identifiers!.resourceId === 'eni-0d9877f559c240362')).toMatchObject({
      name: 'ELB new-life-001 (eni-0d9877f559c240362)',
      attributes: { kind: 'network_interface', requesterId: 'amazon-elb', attachedTo: 'amazon-elb', privateIp: '10.0.4.96', publicIp: '13.48.164.202', availabilityZone: 'eu-north-1a' },
    });
  });

  it('says so when the instances read do not list the instance an interface is attached to', () => {
    const both = transformEc2({ reservations: instancesFile.DESCRIBE_INSTANCES.Reservations, networkInterfaces: interfacesFile.DESCRIBE_NETWORK_INTERFACES });
    const eu = both.runs.find((r) => r.region === 'eu-north-1')!;
    expect(eu.warnings).toContain('network interface eni-0e106a07c15ff7d14 is attached to i-0d7654b940dcf5766, which the instances read do not list: its relation lands only if the server knows that instance');
  });
});

describe('what a user expects of an EC2 estate', () => {
  const instance = (id: string, extra: Record<string, unknown> = {}) => ({
    InstanceId: id, State: { Name: 'running' }, Placement: { AvailabilityZone: 'eu-west-1b' }, VpcId: 'vpc-1', SubnetId: 'subnet-1',
    PrivateIpAddress: '10.1.0.5', PrivateDnsName: 'ip-10-1-0-5.eu-west-1.compute.internal', ...extra,
  });
  const reservation = (instances: unknown[], OwnerId = '111122223333') => ({ ReservationId: 'r-1', OwnerId, Instances: instances });

  it('takes the owner from an Owner or Team tag and the environment from an Environment tag', () => {
    const { runs } = transformEc2({ reservations: [reservation([
      instance('i-a', { Tags: [{ Key: 'Name', Value: 'web' }, { Key: 'Team', Value: 'payments' }, { Key: 'Environment', Value: 'prod' }] }),
      instance('i-b', { Tags: [{ Key: 'Owner', Value: ' ops ' }] }),
    ])], networkInterfaces: [] });
    expect(host(runs[0], 'i-a')).toMatchObject({ name: 'web', owner: 'payments', environment: 'prod' });
    expect(host(runs[0], 'i-b')).toMatchObject({ name: 'i-b', owner: 'ops' });
  });

  it('keeps a stopped instance with its state, and leaves a terminated one out so that the completed run retires it', () => {
    const { runs } = transformEc2({ reservations: [reservation([
      instance('i-stopped', { State: { Name: 'stopped' }, StateTransitionReason: 'User initiated' }),
      instance('i-gone', { State: { Name: 'terminated' } }),
    ])], networkInterfaces: [{ NetworkInterfaceId: 'eni-old', OwnerId: '111122223333', AvailabilityZone: 'eu-west-1b', SubnetId: 'subnet-1', Attachment: { InstanceId: 'i-gone' } }] });
    expect(host(runs[0], 'i-stopped').attributes).toMatchObject({ state: 'stopped', stateReason: 'User initiated' });
    expect(host(runs[0], 'i-gone')).toBeUndefined();
    expect(runs[0].relations.some((r) => idOf(r.from) === 'i-gone')).toBe(false);
    expect(runs[0].warnings).toContain('instance i-gone is terminated: left out, so a completed run retires it');
  });

  it('leaves a malformed record out alone, naming it, and goes on with the others', () => {
    const { runs, warnings } = transformEc2({ reservations: [
      reservation([instance('i-bad', { Tags: 'Name=web' }), { State: { Name: 'running' } }, instance('i-good')]),
      { ReservationId: 'r-2' },
    ], networkInterfaces: [{ NetworkInterfaceId: 'eni-1', Groups: [{ GroupName: 'no id' }] }] });
    expect(runs[0].cis.filter((c) => c.class === 'host').map((c) => c.identifiers!.instanceId)).toEqual(['i-good']);
    expect(warnings).toEqual([
      'reservation r-1, instance i-bad: Tags: Invalid input: expected array, received string; left out',
      expect.stringMatching(/^reservation r-1, instance #2: InstanceId: .*; left out$/),
      expect.stringMatching(/^reservation #2: Instances: .*; left out$/),
      expect.stringMatching(/^network interface eni-1: Groups\.0\.GroupId: .*; left out$/),
    ]);
  });

  it('leaves out a record whose account or region it cannot tell, unless the caller gives them', () => {
    const noZone = { NetworkInterfaceId: 'eni-2', OwnerId: '111122223333' };
    expect(transformEc2({ reservations: [], networkInterfaces: [noZone] }).warnings).toEqual(['network interface eni-2: no availability zone to tell its region (give --region); left out']);
    expect(transformEc2({ reservations: [], networkInterfaces: [noZone] }, { region: 'eu-west-1' }).runs.map((r) => r.scope)).toEqual(['aws:111122223333:eu-west-1']);
  });

  it('makes the run of an account and region the caller names even when EC2 lists nothing there, so that it can retire what vanished', () => {
    expect(transformEc2({ reservations: [], networkInterfaces: [] }, { account: '111122223333', region: 'eu-west-1' }).runs)
      .toEqual([{ account: '111122223333', region: 'eu-west-1', scope: 'aws:111122223333:eu-west-1', cis: [], relations: [], warnings: [] }]);
    expect(transformEc2({ reservations: [], networkInterfaces: [] }, { region: 'eu-west-1' }).runs).toEqual([]);
  });

  it('makes one run per account and region, each with only its own resources', () => {
    const { runs } = transformEc2({ reservations: [
      reservation([instance('i-1')]),
      reservation([instance('i-2', { Placement: { AvailabilityZone: 'us-east-1a' } })]),
      reservation([instance('i-3')], '444455556666'),
    ], networkInterfaces: [] });
    expect(runs.map((r) => `${r.scope}: ${r.cis.filter((c) => c.class === 'host').map((c) => c.identifiers!.instanceId)}`)).toEqual([
      'aws:111122223333:eu-west-1: i-1', 'aws:111122223333:us-east-1: i-2', 'aws:444455556666:eu-west-1: i-3',
    ]);
  });

  it('names VPCs and subnets by their Name tags when their own answers are read, and reads each subnet as depending on its VPC', () => {
    const { runs, warnings } = transformEc2({
      reservations: [reservation([instance('i-1')])], networkInterfaces: [],
      subnets: [{ SubnetId: 'subnet-1', VpcId: 'vpc-1', OwnerId: '111122223333', AvailabilityZone: 'eu-west-1b', CidrBlock: '10.1.0.0/24', Tags: [{ Key: 'Name', Value: 'private-b' }] }],
      // A VPC's record names no zone: it joins the run whose instances are in it. vpc-lonely is in none.
      vpcs: [{ VpcId: 'vpc-1', OwnerId: '111122223333', CidrBlock: '10.1.0.0/16', IsDefault: false, Tags: [{ Key: 'Name', Value: 'shop' }] }, { VpcId: 'vpc-lonely', OwnerId: '111122223333' }],
    });
    const networks = runs[0].cis.filter((c) => c.class === 'network');
    expect(networks.map((c) => [c.identifiers!.resourceId, c.name, c.attributes!.cidr])).toEqual([['vpc-1', 'shop', '10.1.0.0/16'], ['subnet-1', 'private-b', '10.1.0.0/24']]);
    expect(runs[0].relations.filter((r) => idOf(r.from) === 'subnet-1').map((r) => idOf(r.to))).toEqual(['vpc-1']);
    expect(warnings).toEqual(['VPC vpc-lonely: no availability zone to tell its region (give --region); left out']);
  });

  it('reads the SDK\'s instants (Dates) as the CLI\'s text', () => {
    const { runs } = transformEc2({ reservations: [reservation([instance('i-1', { LaunchTime: new Date('2026-03-01T10:00:00Z') })])], networkInterfaces: [] });
    expect(host(runs[0], 'i-1').attributes!.launchTime).toBe('2026-03-01T10:00:00.000Z');
  });

  it('tells the region from an availability zone, a Local Zone\'s included', () => {
    expect(['us-east-1d', 'eu-north-1a', 'us-gov-west-1a', 'us-west-2-lax-1a', 'ap-southeast-4b'].map(regionOfZone)).toEqual(['us-east-1', 'eu-north-1', 'us-gov-west-1', 'us-west-2', 'ap-southeast-4']);
    expect(regionOfZone(undefined)).toBeUndefined();
  });
});
