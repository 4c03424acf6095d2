import { Router } from 'express';
import type { ApiContext } from '../context.ts';
import { authenticate, requireRole } from '../auth.ts';
import { ServiceError } from '../../ingest/errors.ts';
import type { OtlpReceiver } from '../../otlp/receiver.ts';
import { z } from 'zod';
import { describeOperation } from '../openapi.ts';

/**
 * POST /v1/traces: OTLP/HTTP with JSON encoding, at the path OpenTelemetry exporters use, so an
 * OpenTelemetry Collector's `otlphttp` exporter (encoding: json, a collector token in its headers)
 * exports straight to servicegraph. Replies as the OTLP spec says: 200 with `partialSuccess`.
 */
export function otlpRoutes(ctx: ApiContext): Router {
  describeOperation({
    method: 'post', path: '/v1/traces', role: 'collector',
    summary: 'OTLP/HTTP JSON trace export (ExportTraceServiceRequest): spans folded into observed DEPENDS_ON edges, flushed as source otel, scope live',
    body: z.object({ resourceSpans: z.array(z.unknown()) }).loose(),
    response: z.object({ partialSuccess: z.object({ rejectedSpans: z.number().int().optional(), errorMessage: z.string().optional() }) }),
  });
  const receiver = ctx.otlp as OtlpReceiver;
  const r = Router();
  r.post('/v1/traces', authenticate(ctx.store), requireRole('collector'), (req, res) => {
    if (!req.is('application/json')) {
      throw new ServiceError(415, 'unsupported_media_type', 'this receiver takes OTLP/HTTP JSON: send Content-Type: application/json (exporter setting encoding: json)');
    }
    const result = receiver.accept(req.body);
    res.json({ partialSuccess: result.rejected ? { rejectedSpans: result.rejected, errorMessage: result.errorMessage } : {} });
  });
  return r;
}
