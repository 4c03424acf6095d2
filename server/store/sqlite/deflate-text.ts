import { deflateRaw, deflateRawSync } from 'node:zlib';

/**
 * Raw deflate (level 1) of a text's UTF-8 bytes, as the store keeps a large event's records and a batch's targets.
 *
 * Why the bytes go through a kept buffer: zlib takes bytes, and a string handed to it is first copied into a new
 * Buffer. A first load's event is ~850 KB of JSON per 1,000 CIs, and an allocation that size is fresh memory every
 * batch (malloc maps it and gives it back after), so the copy paid a page fault for every 4 KiB of it. Over a first
 * load's events at load 9: 14.7 ms an event into a fresh Buffer against 7.6 ms into a kept one; most of the 7.6 is
 * V8 flattening the text (JSON.stringify returns a large text as a string of parts), since a flat text's bytes take
 * ~0.4 ms. The bytes are the same either way (WHATWG UTF-8, as Buffer.from writes it: a lone surrogate is U+FFFD).
 *
 * A kept buffer is lent to one deflate at a time and back after it (the async one reads it on libuv's thread pool
 * until its callback); a text that finds none free, or is larger than a kept one may grow, gets fresh memory as before.
 */
const KEEP_AT_MOST = 2;
/** A kept buffer grows to the largest text it has held, up to this; larger texts are encoded into fresh memory. */
const KEPT_BYTES_MAX = 16 << 20;
const free: Buffer[] = [];
const encoder = new TextEncoder();

/** The text's UTF-8 bytes in a lent buffer (return it with `giveBack`), or in fresh memory (`lent` false). */
function utf8Of(text: string): { bytes: Uint8Array; lent: Buffer | null } {
  // Every UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair, two units, is 4).
  if (text.length * 3 > KEPT_BYTES_MAX) return { bytes: Buffer.from(text, 'utf8'), lent: null };
  let buf = free.pop();
  if (buf === undefined || buf.length < text.length * 3) buf = Buffer.allocUnsafeSlow(Math.max(text.length * 3, 64 << 10));
  const { written } = encoder.encodeInto(text, buf);
  return { bytes: buf.subarray(0, written), lent: buf };
}

function giveBack(buf: Buffer | null) {
  if (buf !== null && free.length < KEEP_AT_MOST) free.push(buf);
}

export function deflateText(text: string): Buffer {
  const { bytes, lent } = utf8Of(text);
  try {
    return deflateRawSync(bytes, { level: 1 });
  } finally {
    giveBack(lent);
  }
}

/** The same on libuv's thread pool; the bytes are made here, on the caller's thread, and lent until it is done. */
export function deflateTextAsync(text: string): Promise<Buffer> {
  const { bytes, lent } = utf8Of(text);
  return new Promise((resolve, reject) => deflateRaw(bytes, { level: 1 }, (err, out) => {
    giveBack(lent);
    if (err) reject(err); else resolve(out);
  }));
}
