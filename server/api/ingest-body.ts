import { IngestBatch } from '../model/ingest.ts';
import type { BatchHeader } from '../ingest/ingest-service.ts';
import { rawContentDigest } from '../domain/reconcile/sighting.ts';
import type { JsonMembers } from './json-members.ts';

/**
 * An ingest body read by its members (json-members.ts): the digest of its content's bytes and its header, so that
 * content validated before is recognised without parsing it (the ingest route; the ingest benchmark's breakdown).
 */

/** What a batch says besides its content, validated as IngestBatch validates it. */
const Header = IngestBatch.pick({ source: true, scope: true, runId: true, complete: true, force: true });
const headerNames: ReadonlySet<string> = new Set(Object.keys(Header.shape));
const contentNames: ReadonlySet<string> = new Set(['cis', 'relations']);

/** The digest of a body's content bytes (sighting.ts, rawContentDigest), when the body is an object of batch members only. */
export function contentDigestOf(raw: Buffer, members: JsonMembers): string | null {
  for (const name of members.keys()) if (!headerNames.has(name) && !contentNames.has(name)) return null;
  const part = (name: string) => { const r = members.get(name); return r ? raw.subarray(r[0], r[1]) : null; };
  return rawContentDigest(part('cis'), part('relations'));
}

/** The header members parsed and validated, or null (the whole body then goes the ordinary way, which explains). */
export function headerOf(raw: Buffer, members: JsonMembers): BatchHeader | null {
  const value: Record<string, unknown> = {};
  try {
    for (const name of headerNames) {
      const r = members.get(name);
      if (r) value[name] = JSON.parse(raw.toString('utf8', r[0], r[1]));
    }
  } catch {
    return null;
  }
  const parsed = Header.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * What an Idempotency-Key's fingerprint covers for a body whose content digest is known: the header as validated
 * and the content's bytes. The same request sent again (its retry) has the same, whether its content is parsed
 * or recognised.
 */
export const fingerprinted = (h: BatchHeader, digest: string) =>
  ({ source: h.source, scope: h.scope, runId: h.runId ?? null, complete: h.complete, force: h.force, content: digest });

