/**
 * An error that only the HTTP edge can raise (no route for a path, an unsupported media type): it carries
 * its status. Services never throw it; they throw domain errors (server/domain/errors.ts).
 */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}
