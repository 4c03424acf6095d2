/**
 * A write batch's instant: the clock's, but never earlier than the last committed batch's. Batches queue on
 * the store's write lock (several API instances, a retried transaction reusing nothing from its first try),
 * and a batch stamped before one that committed ahead of it would close a version with validTo < validFrom,
 * leave two versions valid at once and make event time run against seq. Equal instants are harmless:
 * a version valid over [t, t) is valid at no instant, so as-of reads still see one version.
 *
 * Both are ISO-8601 instants as `Date.toISOString()` writes them (fixed width, UTC), so text order is time order.
 */
export function notBefore(clock: string, lastCommitted: string | null): string {
  return lastCommitted !== null && lastCommitted > clock ? lastCommitted : clock;
}
