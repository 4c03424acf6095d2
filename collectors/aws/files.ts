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

/** Saved describe-instances and describe-network-interfaces answers → the inventory the transform reads. */
export async function readInventoryFiles(files: { instances: readonly string[]; networkInterfaces: readonly string[] }): Promise<Ec2Inventory> {
  const reservations: unknown[] = [];
  const networkInterfaces: unknown[] = [];
  for (const file of files.instances) {
    const found = recordsIn(await readJson(file), 'Reservations', 'Instances');
    // A file of another kind is a mistake to stop at: read as empty, it would retire the whole account and region.
    if (!found) throw new CollectError('no Reservations: give the output of `aws ec2 describe-instances --output json`', file);
    reservations.push(...found);
  }
  for (const file of files.networkInterfaces) {
    const found = recordsIn(await readJson(file), 'NetworkInterfaces', 'NetworkInterfaceId');
    if (!found) throw new CollectError('no NetworkInterfaces: give the output of `aws ec2 describe-network-interfaces --output json`', file);
    networkInterfaces.push(...found);
  }
  return { reservations, networkInterfaces };
}
