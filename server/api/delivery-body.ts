import type { Request } from 'express';
import type { z } from 'zod';
import { InputError } from '../domain/errors.ts';
import { MAX_ALERTS_PER_DELIVERY } from '../model/alerts.ts';
import { parseJsonBody } from './json-body.ts';
import { memberArrayLength } from './json-members.ts';
import { parseBodyValue } from './validate.ts';

/**
 * An alert delivery's envelope from its raw bytes (the route reads its body raw): a delivery of more alerts than one
 * may hold is refused from the bytes, before they are parsed (a 15 MB body of 100,000 alerts held the loop ~0.7–1 s
 * under load in JSON.parse and was then refused anyway), then the body is parsed and its envelope validated.
 */
export function deliveryBody<S extends z.ZodType>(envelope: S, req: Request): z.infer<S> {
  const raw = Buffer.isBuffer(req.body) ? req.body : null;
  if (!raw) return parseBodyValue(envelope, req.body);
  // Walked up to the 10,001st alert at most: what follows is neither read nor parsed.
  const count = memberArrayLength(raw, 'alerts', MAX_ALERTS_PER_DELIVERY);
  if (count !== null && count > MAX_ALERTS_PER_DELIVERY) {
    const message = `a delivery holds at most ${MAX_ALERTS_PER_DELIVERY} alerts, this one more; lower the sender's max_alerts or group it further`;
    throw new InputError(message, { limit: MAX_ALERTS_PER_DELIVERY, problems: [{ path: ['alerts'], code: 'too_many_alerts', message }] }, 'too_many_alerts');
  }
  return parseBodyValue(envelope, parseJsonBody(raw));
}
