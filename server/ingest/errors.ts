import type { BatchProblem } from '../domain/reconcile/types.ts';

/** Semantic errors the HTTP edge maps to statuses in one place (Backstage's InputError family). */
export class ServiceError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}
export class InputError extends ServiceError {
  constructor(message: string, details?: unknown, code = 'invalid_input') { super(400, code, message, details); }
}
export class NotFoundError extends ServiceError {
  constructor(message: string, details?: unknown) { super(404, 'not_found', message, details); }
}
export class ConflictError extends ServiceError {
  constructor(message: string, details?: unknown, code = 'conflict') { super(409, code, message, details); }
}
/** Well-formed but not acceptable as sent (RFC 9110 422), e.g. an idempotency key reused for another request. */
export class UnprocessableError extends ServiceError {
  constructor(message: string, details?: unknown, code = 'unprocessable') { super(422, code, message, details); }
}
export class NotAllowedError extends ServiceError {
  constructor(message: string) { super(403, 'forbidden', message); }
}
export class TooLargeError extends ServiceError {
  constructor(message: string, details?: unknown) { super(413, 'too_large', message, details); }
}

export function problemsMessage(problems: BatchProblem[]): string {
  const head = problems.slice(0, 5).map((p) => `${p.path.join('.')}: ${p.message}`).join('; ');
  return problems.length > 5 ? `${head}; and ${problems.length - 5} more` : head;
}
