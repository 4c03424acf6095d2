import { z } from 'zod';

/**
 * The parts of EC2's DescribeInstances and DescribeNetworkInterfaces answers the transform reads, as the AWS CLI's
 * `--output json` and the SDK v3 both give them (PascalCase; the SDK's instants are Dates, the CLI's strings).
 * Each record is checked on its own, so one malformed record is left out and named while the others go on.
 * Unknown fields are ignored: EC2 adds fields every year.
 */

/** EC2 leaves an absent value out, or sends "" (PublicDnsName of an instance without a public address) or null. */
const text = z.string().nullish().transform((v) => (v ? v : undefined));
const instant = z.union([z.string(), z.date()]).nullish().transform((v) => (v instanceof Date ? v.toISOString() : v ? v : undefined));

export const Tag = z.object({ Key: z.string().min(1), Value: z.string().nullish() });
export type Tag = z.infer<typeof Tag>;

const GroupRef = z.object({ GroupId: z.string().min(1), GroupName: text });

const Association = z.object({ PublicIp: text, PublicDnsName: text, IpOwnerId: text }).nullish();

export const NetworkInterface = z.object({
  NetworkInterfaceId: z.string().min(1),
  SubnetId: text,
  VpcId: text,
  AvailabilityZone: text,
  OwnerId: text,
  RequesterId: text,
  RequesterManaged: z.boolean().nullish(),
  Description: text,
  InterfaceType: text,
  Status: text,
  MacAddress: text,
  PrivateIpAddress: text,
  PrivateDnsName: text,
  Association,
  Attachment: z.object({ InstanceId: text, InstanceOwnerId: text, DeviceIndex: z.number().int().nullish(), Status: text }).nullish(),
  Groups: z.array(GroupRef).nullish(),
  /** DescribeNetworkInterfaces calls an interface's tags TagSet. */
  TagSet: z.array(Tag).nullish(),
});
export type NetworkInterface = z.infer<typeof NetworkInterface>;

export const Instance = z.object({
  InstanceId: z.string().min(1),
  InstanceType: text,
  State: z.object({ Name: text }).nullish(),
  StateTransitionReason: text,
  SubnetId: text,
  VpcId: text,
  PrivateIpAddress: text,
  PrivateDnsName: text,
  PublicIpAddress: text,
  PublicDnsName: text,
  Ipv6Address: text,
  Placement: z.object({ AvailabilityZone: text }).nullish(),
  ImageId: text,
  LaunchTime: instant,
  Architecture: text,
  PlatformDetails: text,
  KeyName: text,
  IamInstanceProfile: z.object({ Arn: text }).nullish(),
  SecurityGroups: z.array(GroupRef).nullish(),
  NetworkInterfaces: z.array(NetworkInterface).nullish(),
  Tags: z.array(Tag).nullish(),
});
export type Instance = z.infer<typeof Instance>;

export const Vpc = z.object({
  VpcId: z.string().min(1),
  OwnerId: text,
  CidrBlock: text,
  IsDefault: z.boolean().nullish(),
  State: text,
  Tags: z.array(Tag).nullish(),
});
export type Vpc = z.infer<typeof Vpc>;

export const Subnet = z.object({
  SubnetId: z.string().min(1),
  VpcId: text,
  OwnerId: text,
  AvailabilityZone: text,
  CidrBlock: text,
  State: text,
  MapPublicIpOnLaunch: z.boolean().nullish(),
  Tags: z.array(Tag).nullish(),
});
export type Subnet = z.infer<typeof Subnet>;

/** A reservation as read: its instances stay unchecked until the transform checks each one. */
export const Reservation = z.object({
  ReservationId: text,
  OwnerId: text,
  Instances: z.array(z.unknown()),
});
export type Reservation = z.infer<typeof Reservation>;

/** "Instances.0.Tags: expected array": the first problem of a record that does not parse, for a person to fix. */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}
