import { inflateRawSync } from 'node:zlib';
import { deflateText, deflateTextAsync } from './deflate-text.ts';

/**
 * How the embedded store keeps a change event's records. An event carries every record its batch changed, in
 * full (so projections and other API instances patch themselves without reading the rows back): a first load's
 * event is ~800 KB of JSON per 1,000 CIs, a quarter of the store. Raw deflate at level 1 keeps a twentieth of it
 * for ~2 ms per such event; events under 4 KiB (incidents, changes, a few CIs) stay plain JSON text. Rows of
 * either kind read back the same, so a store written before this reads as it did.
 */
const COMPRESS_ABOVE = 4096;

const texts = new WeakMap<object, string>();
/**
 * The JSON text of an event's changes, made once per changes array: the store keeps it, and the ingest writer
 * thread sends the same text on to the main thread (ingest-thread-main.ts). The array is not changed once its
 * event is written (ingest-service.ts, commitBatch).
 */
export function changesJson(changes: object): string {
  let text = texts.get(changes);
  if (text === undefined) texts.set(changes, text = JSON.stringify(changes));
  return text;
}

export function encodeChanges(changes: object): string | Buffer {
  const json = changesJson(changes);
  return json.length > COMPRESS_ABOVE ? deflateText(json) : json;
}

/**
 * The same, deflating on libuv's thread pool: a batch starts it before its statements and awaits it after them,
 * so the ~10 ms of deflating a first load's 1,000-CI event runs beside the inserts instead of after them.
 */
export function encodeChangesAsync(changes: object): Promise<string | Buffer> {
  const json = changesJson(changes);
  if (json.length <= COMPRESS_ABOVE) return Promise.resolve(json);
  return deflateTextAsync(json);
}

/** The JSON text of a stored `changes` column, whichever way it was kept. */
export function changesText(stored: string | Buffer): string {
  return typeof stored === 'string' ? stored : inflateRawSync(stored).toString('utf8');
}

export const decodeChanges = <T = unknown>(stored: string | Buffer): T => JSON.parse(changesText(stored)) as T;
