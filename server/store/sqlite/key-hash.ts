/**
 * The 32-bit hash an identifier key is found by (schema.sql, ci_key_hashes): FNV-1a over the key's UTF-16 code units,
 * then murmur3's finaliser so that keys differing in their last characters (most of a batch's: `...web-0001`,
 * `...web-0002`) spread over the whole range. Stored in files: it must never change for a layout.
 * Not unique: two keys may share a hash, and every reader compares the key's text (batch-tx.ts, lookupKeys).
 */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  // Signed: SQLite keeps a value in [-2^31, 2^31) in 4 bytes.
  return h | 0;
}
