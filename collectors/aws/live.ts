import { EC2Client, paginateDescribeInstances, paginateDescribeNetworkInterfaces, paginateDescribeSubnets, paginateDescribeVpcs } from '@aws-sdk/client-ec2';
import { CollectError } from '../types.ts';
import type { Ec2Inventory } from './transform.ts';

export interface LiveOptions {
  /** Regions to read, one inventory each; none: the region the SDK is configured with (AWS_REGION, the profile). */
  regions: readonly string[];
  /** A named profile of the shared config files; else the standard credential chain (environment, files, SSO, instance role). */
  profile?: string;
  /** An EC2-compatible endpoint instead of AWS's (LocalStack, a VPC endpoint, a test server). */
  endpoint?: string;
  progress?: (message: string) => void;
}

export interface RegionInventory extends Required<Ec2Inventory> {
  region: string;
}

/**
 * Reads each region with the AWS SDK v3: DescribeInstances, DescribeNetworkInterfaces, DescribeVpcs and
 * DescribeSubnets, every page (NextToken). Only those four ec2:Describe* actions are called. Any failure (credentials, permission,
 * a page that fails after the SDK's retries) throws: a region read in part would retire what was not read.
 */
export async function readLive(options: LiveOptions): Promise<RegionInventory[]> {
  const regions: (string | undefined)[] = options.regions.length ? [...options.regions] : [undefined];
  const out: RegionInventory[] = [];
  for (const wanted of regions) {
    const client = new EC2Client({
      ...(wanted ? { region: wanted } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
    try {
      const region = await client.config.region().catch(() => undefined);
      if (!region) throw new CollectError('no region: give --region, or set AWS_REGION or a region in the profile');
      let pages = 0;
      const all = async <P>(pager: AsyncIterable<P>, list: (page: P) => readonly unknown[] | undefined) => {
        const items: unknown[] = [];
        for await (const page of pager) {
          items.push(...(list(page) ?? []));
          pages++;
        }
        return items;
      };
      const config = { client, pageSize: 1000 };
      const reservations = await all(paginateDescribeInstances(config, {}), (p) => p.Reservations);
      const networkInterfaces = await all(paginateDescribeNetworkInterfaces(config, {}), (p) => p.NetworkInterfaces);
      const vpcs = await all(paginateDescribeVpcs(config, {}), (p) => p.Vpcs);
      const subnets = await all(paginateDescribeSubnets(config, {}), (p) => p.Subnets);
      const n = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;
      options.progress?.(`${region}: ${n(reservations.length, 'reservation')}, ${n(networkInterfaces.length, 'network interface')}, ${n(vpcs.length, 'VPC')}, ${n(subnets.length, 'subnet')} (${pages} pages)`);
      out.push({ region, reservations, networkInterfaces, vpcs, subnets });
    } catch (e) {
      if (e instanceof CollectError) throw e;
      const err = e as Error & { name?: string; $metadata?: { httpStatusCode?: number } };
      throw new CollectError(`EC2 ${wanted ?? 'default region'}: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`);
    } finally {
      client.destroy();
    }
  }
  return out;
}
