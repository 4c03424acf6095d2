import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollectCommand, type CliIo } from '../../../collectors/cli.ts';

/**
 * The live path with the real AWS SDK v3 against a local server that answers as EC2 does: the query protocol
 * (form-encoded POST, Action and Version), SigV4-signed requests, XML answers paged with NextToken.
 */

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const tags = (t: Record<string, string>) => `<tagSet>${Object.entries(t).map(([k, v]) => `<item><key>${k}</key><value>${v}</value></item>`).join('')}</tagSet>`;
const groups = (ids: string[]) => `<groupSet>${ids.map((g) => `<item><groupId>${g}</groupId><groupName>${g.replace('sg-', '')}</groupName></item>`).join('')}</groupSet>`;

function instanceXml(id: string, ip: string, zone: string, extra = '') {
  const dns = `ip-${ip.replaceAll('.', '-')}.${zone.slice(0, -1)}.compute.internal`;
  return `<item><instanceId>${id}</instanceId><imageId>ami-0abc</imageId><instanceState><code>16</code><name>running</name></instanceState>
    <privateDnsName>${dns}</privateDnsName><dnsName/><reason/><instanceType>t3.micro</instanceType><launchTime>2026-11-02T08:00:00.000Z</launchTime>
    <placement><availabilityZone>${zone}</availabilityZone><tenancy>default</tenancy></placement><subnetId>subnet-${zone}</subnetId><vpcId>vpc-main</vpcId>
    <privateIpAddress>${ip}</privateIpAddress>${groups(['sg-web'])}<architecture>x86_64</architecture>
    <networkInterfaceSet><item><networkInterfaceId>eni-${id}</networkInterfaceId><subnetId>subnet-${zone}</subnetId><vpcId>vpc-main</vpcId>
      <description>Primary network interface</description><ownerId>111122223333</ownerId><status>in-use</status><privateIpAddress>${ip}</privateIpAddress>
      ${groups(['sg-web'])}<attachment><attachmentId>eni-attach-${id}</attachmentId><deviceIndex>0</deviceIndex><status>attached</status></attachment></item></networkInterfaceSet>
    ${extra}</item>`;
}

function interfaceXml(id: string, zone: string, instanceId?: string) {
  return `<item><networkInterfaceId>${id}</networkInterfaceId><subnetId>subnet-${zone}</subnetId><vpcId>vpc-main</vpcId><availabilityZone>${zone}</availabilityZone>
    <description/><ownerId>111122223333</ownerId><requesterManaged>false</requesterManaged><status>in-use</status><privateIpAddress>10.0.9.9</privateIpAddress>
    ${groups(['sg-web'])}${instanceId ? `<attachment><instanceId>${instanceId}</instanceId><instanceOwnerId>111122223333</instanceOwnerId><deviceIndex>0</deviceIndex><status>attached</status></attachment>` : ''}
    <tagSet/><interfaceType>interface</interfaceType></item>`;
}

const reservation = (id: string, instances: string[]) =>
  `<item><reservationId>${id}</reservationId><ownerId>111122223333</ownerId><groupSet/><instancesSet>${instances.join('')}</instancesSet></item>`;

/** Each region's pages, in order; every page but the last carries a nextToken. */
const PAGES: Record<string, Record<string, string[]>> = {
  'eu-west-1': {
    DescribeInstances: [
      `<reservationSet>${reservation('r-1', [instanceXml('i-web1', '10.0.1.10', 'eu-west-1a', tags({ Name: 'web', Team: 'storefront' }))])}</reservationSet>`,
      `<reservationSet>${reservation('r-2', [instanceXml('i-web2', '10.0.2.10', 'eu-west-1b', tags({ Name: 'web', Team: 'storefront' })), instanceXml('i-db', '10.0.1.20', 'eu-west-1a', tags({ Name: 'orders-db' }))])}</reservationSet>`,
    ],
    DescribeNetworkInterfaces: [
      `<networkInterfaceSet>${interfaceXml('eni-i-web1', 'eu-west-1a', 'i-web1')}</networkInterfaceSet>`,
      `<networkInterfaceSet>${interfaceXml('eni-lb', 'eu-west-1b')}</networkInterfaceSet>`,
    ],
    DescribeVpcs: [`<vpcSet><item><vpcId>vpc-main</vpcId><ownerId>111122223333</ownerId><state>available</state><cidrBlock>10.0.0.0/16</cidrBlock><isDefault>false</isDefault>${tags({ Name: 'shop-prod' })}</item></vpcSet>`],
    DescribeSubnets: [`<subnetSet>${['a', 'b'].map((z) => `<item><subnetId>subnet-eu-west-1${z}</subnetId><vpcId>vpc-main</vpcId><ownerId>111122223333</ownerId><availabilityZone>eu-west-1${z}</availabilityZone>
      <cidrBlock>10.0.${z === 'a' ? 1 : 2}.0/24</cidrBlock><state>available</state><mapPublicIpOnLaunch>false</mapPublicIpOnLaunch>${tags({ Name: `private-${z}` })}</item>`).join('')}</subnetSet>`],
  },
  'us-east-1': {
    DescribeInstances: [`<reservationSet>${reservation('r-9', [instanceXml('i-batch', '172.31.0.5', 'us-east-1c')])}</reservationSet>`],
    DescribeNetworkInterfaces: ['<networkInterfaceSet/>'],
    DescribeVpcs: ['<vpcSet/>'],
    DescribeSubnets: ['<subnetSet/>'],
  },
};

interface Seen { action: string; region: string; accessKey: string; nextToken: string | null; maxResults: string | null }

describe('servicegraph collect aws --live, through the AWS SDK v3', () => {
  let server: Server;
  let endpoint: string;
  const seen: Seen[] = [];
  let refuse: string | null = null;
  const saved = { ...process.env };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const auth = /Credential=([^/]+)\/\d{8}\/([^/]+)\/ec2\/aws4_request/.exec(req.headers.authorization ?? '');
        const action = form.get('Action') ?? '';
        const region = auth?.[2] ?? '';
        seen.push({ action, region, accessKey: auth?.[1] ?? '', nextToken: form.get('NextToken'), maxResults: form.get('MaxResults') });
        res.setHeader('content-type', 'text/xml;charset=UTF-8');
        if (refuse === region) {
          res.statusCode = 403;
          res.end('<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>req-403</RequestID></Response>');
          return;
        }
        const pages = PAGES[region]?.[action];
        if (!pages || form.get('Version') !== '2016-11-15') {
          res.statusCode = 400;
          res.end(`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InvalidAction</Code><Message>${action} in ${region}</Message></Error></Errors><RequestID>req-400</RequestID></Response>`);
          return;
        }
        const page = Number(form.get('NextToken')?.replace('page-', '') ?? 0);
        const next = page + 1 < pages.length ? `<nextToken>page-${page + 1}</nextToken>` : '';
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS}"><requestId>req-${seen.length}</requestId>${pages[page]}${next}</${action}Response>`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The standard credential chain, from its first link: the environment. No files, no instance metadata.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDSERVICEGRAPH', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' });
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    delete process.env.AWS_PROFILE;
  });
  afterAll(async () => {
    process.env = saved;
    await new Promise((r) => server.close(r));
  });

  const run = async (...args: string[]) => {
    let out = '';
    let err = '';
    const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {} };
    const code = await runCollectCommand(['aws', '--live', '--endpoint', endpoint, ...args], io);
    return { code, out, err };
  };

  it('reads every page of its four calls in each region asked, signed with the chain\'s credentials, and makes a run per region', async () => {
    seen.length = 0;
    const r = await run('--region', 'eu-west-1,us-east-1', '--dry-run');
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(seen.map((s) => `${s.region} ${s.action} ${s.nextToken ?? '-'}`)).toEqual([
      'eu-west-1 DescribeInstances -', 'eu-west-1 DescribeInstances page-1',
      'eu-west-1 DescribeNetworkInterfaces -', 'eu-west-1 DescribeNetworkInterfaces page-1', 'eu-west-1 DescribeVpcs -', 'eu-west-1 DescribeSubnets -',
      'us-east-1 DescribeInstances -', 'us-east-1 DescribeNetworkInterfaces -', 'us-east-1 DescribeVpcs -', 'us-east-1 DescribeSubnets -',
    ]);
    expect(new Set(seen.map((s) => s.accessKey))).toEqual(new Set(['AKIDSERVICEGRAPH']));
    expect(new Set(seen.map((s) => s.maxResults))).toEqual(new Set(['1000']));
    expect(r.err).toMatch(/eu-west-1: 2 reservations, 2 network interfaces, 1 VPC, 2 subnets \(6 pages\)/);

    const batches = JSON.parse(r.out) as { scope: string; complete: boolean; cis: { class: string; name: string; owner?: string; identifiers: Record<string, string>; attributes: Record<string, unknown> }[]; relations: unknown[] }[];
    expect(batches.map((b) => [b.scope, b.complete])).toEqual([['aws:111122223333:eu-west-1', true], ['aws:111122223333:us-east-1', true]]);
    const hosts = batches[0].cis.filter((c) => c.class === 'host');
    expect(hosts.map((h) => [h.identifiers.instanceId, h.name, h.owner, h.identifiers.ip])).toEqual([
      ['i-web1', 'web', 'storefront', '10.0.1.10'], ['i-web2', 'web', 'storefront', '10.0.2.10'], ['i-db', 'orders-db', undefined, '10.0.1.20'],
    ]);
    expect(hosts[0].attributes).toMatchObject({ launchTime: '2026-11-02T08:00:00.000Z', region: 'eu-west-1', availabilityZone: 'eu-west-1a', state: 'running', tags: { Name: 'web', Team: 'storefront' } });
    expect(batches[0].cis.find((c) => c.identifiers.resourceId === 'eni-lb')).toMatchObject({ class: 'cloud_resource', attributes: { kind: 'network_interface' } });
    // VPCs and subnets by their Name tags, with their address ranges.
    expect(batches[0].cis.filter((c) => c.class === 'network').map((c) => [c.name, c.attributes.cidr])).toEqual([['shop-prod', '10.0.0.0/16'], ['private-a', '10.0.1.0/24'], ['private-b', '10.0.2.0/24']]);
    expect(batches[1].cis.filter((c) => c.class === 'host').map((c) => c.identifiers.fqdn)).toEqual(['ip-172-31-0-5.us-east-1.compute.internal']);
  });

  it('stops before pushing anything when a region refuses, naming the region and EC2\'s error', async () => {
    refuse = 'us-east-1';
    try {
      const r = await run('--region', 'eu-west-1,us-east-1', '--server', 'http://127.0.0.1:1', '--token', 't');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/error: EC2 us-east-1: UnauthorizedOperation: You are not authorized to perform this operation\.\nnothing was pushed/);
    } finally {
      refuse = null;
    }
  });

  it('asks for a region when neither --region nor the SDK\'s settings give one', async () => {
    const r = await run('--dry-run');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no region: give --region, or set AWS_REGION or a region in the profile/);
  });

  it('signs with a named profile\'s credentials and reads its region (--profile)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-aws-profile-'));
    const env = { ...process.env };
    try {
      writeFileSync(join(dir, 'config'), '[profile audit]\nregion = us-east-1\n');
      writeFileSync(join(dir, 'credentials'), '[audit]\naws_access_key_id = AKIDAUDITPROFILE\naws_secret_access_key = audit-secret\n');
      // The profile's keys, not the environment's: a named profile takes precedence in the chain.
      Object.assign(process.env, { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') });
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      seen.length = 0;
      const r = await run('--profile', 'audit', '--dry-run');
      expect(r.err).not.toMatch(/error/);
      expect(r.code).toBe(0);
      expect(new Set(seen.map((s) => `${s.accessKey} ${s.region}`))).toEqual(new Set(['AKIDAUDITPROFILE us-east-1']));
    } finally {
      process.env = env;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the SDK\'s own region (AWS_REGION) when no --region is given', async () => {
    process.env.AWS_REGION = 'us-east-1';
    try {
      seen.length = 0;
      const r = await run('--dry-run');
      expect(r.code).toBe(0);
      expect(new Set(seen.map((s) => s.region))).toEqual(new Set(['us-east-1']));
      expect(JSON.parse(r.out).map((b: { scope: string }) => b.scope)).toEqual(['aws:111122223333:us-east-1']);
    } finally {
      delete process.env.AWS_REGION;
    }
  });
});
