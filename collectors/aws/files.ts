import { readFile } from 'node:fs/promises';
import { CollectError } from '../types.ts';
import type { Ec2Inventory } from './transform.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The records of one kind in a saved answer: `{"Reservations": [...]}` as `aws ec2 describe-instances --output json`
 * writes it, a bare list of them, or either under top-level names (the Cartography fixtures' `DESCRIBE_INSTANCES`).
 * `recordKey` tells a record (`Instances` for a reservation); null when the document holds none of that kind.
 */
function recordsIn(doc: unknown, listKey: string, recordKey: string): unknown[] | null {
  const isList = (v: unknown): v is unknown[] => Array.isArray(v) && v.every((x) => isObject(x) && recordKey in x);
  if (isList(doc)) return doc;
  if (!isObject(doc)) return null;
  if (Array.isArray(doc[listKey])) return doc[listKey] as unknown[];
  let found: unknown[] | null = null;
  for (const value of Object.values(doc)) {
    const inner = isList(value) ? value : isObject(value) && Array.isArray(value[listKey]) ? (value[listKey] as unknown[]) : null;
    if (inner) found = [...(found ?? []), ...inner];
  }
  return found;
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch(() => { throw new CollectError('cannot read file', file); });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CollectError(`not JSON (${(e as Error).message})`, file);
  }
}

/** Each kind of saved answer: its list, what tells one of its records, and the command that writes it. */
const KINDS = {
  reservations: ['Reservations', 'Instances', 'describe-instances'],
  networkInterfaces: ['NetworkInterfaces', 'NetworkInterfaceId', 'describe-network-interfaces'],
  vpcs: ['Vpcs', 'VpcId', 'describe-vpcs'],
  subnets: ['Subnets', 'SubnetId', 'describe-subnets'],
} as const;

/** Saved describe-instances, describe-network-interfaces, describe-vpcs and describe-subnets answers → the inventory the transform reads. */
export async function readInventoryFiles(files: Record<keyof typeof KINDS, readonly string[]>): Promise<Required<Ec2Inventory>> {
  const inventory = { reservations: [] as unknown[], networkInterfaces: [] as unknown[], vpcs: [] as unknown[], subnets: [] as unknown[] };
  for (const kind of Object.keys(KINDS) as (keyof typeof KINDS)[]) {
    const [listKey, recordKey, command] = KINDS[kind];
    for (const file of files[kind]) {
      const found = recordsIn(await readJson(file), listKey, recordKey);
      // A file of another kind is a mistake to stop at: read as empty, it would retire the whole account and region.
      if (!found) throw new CollectError(`no ${listKey}: give the output of \`aws ec2 ${command} --output json\``, file);
      inventory[kind].push(...found);
    }
  }
  return inventory;
}
