import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../domain/errors.ts';
import { issuesToProblems } from './validate.ts';

/**
 * `Idempotency-Key` (IETF draft-ietf-httpapi-idempotency-key-header): a client-chosen key per request,
 * sent again unchanged on every retry of that request. The draft writes it as a structured-field string
 * (`"8e03978e-…"`); a bare token is accepted too, as Stripe and most clients send it.
 */
export const IdempotencyKeyHeader = z.string()
  .transform((s) => s.trim().replace(/^"(.*)"$/, '$1'))
  .pipe(z.string().min(1, 'must not be empty').max(255, 'at most 255 characters').regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'));

/** What a request says of its key: the header as received and the id of the token that sent it. */
export interface IdempotencySent { header: string | string[] | undefined; principal: string }

/**
 * The key as the ingest service stores it, namespaced by the token that sent it (two collectors may pick the
 * same key), with a fingerprint of the request so that a key reused for another batch is refused, not replayed.
 * Null without the header.
 */
export function idempotencyOf(sent: IdempotencySent, request: unknown): { key: string; fingerprint: string } | null {
  const raw = sent.header;
  if (raw === undefined) return null;
  const parsed = IdempotencyKeyHeader.safeParse(Array.isArray(raw) ? raw.join(',') : raw);
  if (!parsed.success) {
    const problems = issuesToProblems(parsed.error).map((p) => ({ ...p, path: ['headers', 'idempotency-key', ...p.path] }));
    throw new InputError(`invalid Idempotency-Key header: ${problems.map((p) => p.message).join('; ')}`, { problems });
  }
  return { key: `${sent.principal}:${parsed.data}`, fingerprint: createHash('sha256').update(JSON.stringify(request)).digest('base64url') };
}
