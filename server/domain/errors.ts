import type { BatchProblem } from './reconcile/types.ts';

/**
 * What services throw when a request cannot be served as asked (Backstage's InputError family). They name
 * the kind of failure, a stable `code` and the details; they know nothing of HTTP: the api layer's one
 * error middleware turns each kind into a status.
 */
export class DomainError extends Error {
  constructor(readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}
/** The input is wrong (shape, values, references). */
export class InputError extends DomainError {
  constructor(message: string, details?: unknown, code = 'invalid_input') { super(code, message, details); }
}
export class NotFoundError extends DomainError {
  constructor(message: string, details?: unknown) { super('not_found', message, details); }
}
/** The input is fine but clashes with the current state (a guard, a status transition). */
export class ConflictError extends DomainError {
  constructor(message: string, details?: unknown, code = 'conflict') { super(code, message, details); }
}
/** Well-formed but not acceptable as sent (RFC 9110 422), e.g. an idempotency key reused for another request. */
export class UnprocessableError extends DomainError {
  constructor(message: string, details?: unknown, code = 'unprocessable') { super(code, message, details); }
}
/** Who asks is known but may not do this. */
export class NotAllowedError extends DomainError {
  constructor(message: string) { super('forbidden', message); }
}
/** Who asks is not known (no credential, an unknown, revoked or expired one). */
export class UnauthenticatedError extends DomainError {
  constructor(message: string) { super('unauthenticated', message); }
}
export class TooLargeError extends DomainError {
  constructor(message: string, details?: unknown) { super('too_large', message, details); }
}
/** A dependency (the store) cannot serve right now; the same request may succeed later. */
export class UnavailableError extends DomainError {
  constructor(message: string, details?: unknown) { super('unavailable', message, details); }
}

export function problemsMessage(problems: BatchProblem[]): string {
  const head = problems.slice(0, 5).map((p) => `${p.path.join('.')}: ${p.message}`).join('; ');
  return problems.length > 5 ? `${head}; and ${problems.length - 5} more` : head;
}
