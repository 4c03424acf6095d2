import { EC2Client, paginateDescribeInstances, paginateDescribeNetworkInterfaces } from '@aws-sdk/client-ec2';
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

export interface RegionInventory extends Ec2Inventory {
  region: string;
}

/**
 * Reads each region with the AWS SDK v3: DescribeInstances and DescribeNetworkInterfaces, every page (NextToken).
 * Only ec2:DescribeInstances and ec2:DescribeNetworkInterfaces are called. Any failure (credentials, permission,
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
      const reservations: unknown[] = [];
      const networkInterfaces: unknown[] = [];
      let pages = 0;
      for await (const page of paginateDescribeInstances({ client, pageSize: 1000 }, {})) {
        reservations.push(...(page.Reservations ?? []));
        pages++;
      }
      for await (const page of paginateDescribeNetworkInterfaces({ client, pageSize: 1000 }, {})) {
        networkInterfaces.push(...(page.NetworkInterfaces ?? []));
        pages++;
      }
      options.progress?.(`${region}: ${reservations.length} reservations, ${networkInterfaces.length} network interfaces (${pages} pages)`);
      out.push({ region, reservations, networkInterfaces });
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
