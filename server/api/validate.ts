import type { Request } from 'express';
import { z } from 'zod';
import { InputError } from '../domain/errors.ts';

/** zod issues as the `details.problems` list every 400 carries: where, what, why. */
export function issuesToProblems(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), code: i.code, message: i.message }));
}

function summarize(problems: ReturnType<typeof issuesToProblems>): string {
  const head = problems.slice(0, 5).map((p) => `${p.path.length ? p.path.join('.') : '(body)'}: ${p.message}`).join('; ');
  return problems.length > 5 ? `${head}; and ${problems.length - 5} more` : head;
}

export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  return parseBodyValue(schema, req.body);
}

/** `parseBody` for a body read apart from its request (the ingest writer thread). */
export function parseBodyValue<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const problems = issuesToProblems(r.error);
    throw new InputError(`invalid request body: ${summarize(problems)}`, { problems });
  }
  return r.data;
}

export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const r = schema.safeParse(req.query);
  if (!r.success) {
    const problems = issuesToProblems(r.error);
    throw new InputError(`invalid query: ${summarize(problems)}`, { problems });
  }
  return r.data;
}

/** Comma-separated query lists: `?classes=service,database`. */
export const csvList = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
export const isoTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());
