import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Limits } from '../../model/limits.ts';
import { InputError, NotFoundError } from '../../domain/errors.ts';
import { HttpError } from '../http-error.ts';
import { FoldBusyError, type ExportResult, type OtlpReceiver } from '../../otlp/receiver.ts';
import { decodeTraceRequest, encodeTraceResponse } from '../../otlp/otlp-proto.ts';
import { OtlpFormatError } from '../../../common/otel/otlp-json.ts';
import { encodeStatus, grpcCodeOf } from '../../otlp/rpc-status.ts';
import { statusOf } from '../error-middleware.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';
import { jsonBodyReader } from '../json-body.ts';

const PROTOBUF = ['application/x-protobuf', 'application/protobuf'];
const OTHER_SIGNALS = ['/v1/metrics', '/v1/logs'];

/**
 * POST /v1/traces: OTLP/HTTP, at the path OpenTelemetry exporters use, in both encodings: protobuf
 * (the default of the SDKs and of the Collector's `otlphttp` exporter) and JSON, gzip-compressed or not.
 * The token is checked before the body is read. Replies as the OTLP spec says: 200 with the
 * ExportTraceServiceResponse in the request's encoding, `partialSuccess` saying what was rejected and
 * why (or a warning); errors as a google.rpc.Status for protobuf requests, our JSON error otherwise.
 */
export function otlpRoutes(deps: { authenticate: RequestHandler; limits: Limits; receiver: OtlpReceiver }): ApiRoutes {
  const op = {
    method: 'post' as const, path: '/v1/traces', role: 'collector' as const,
    summary: 'OTLP/HTTP trace export (ExportTraceServiceRequest as application/x-protobuf or application/json, optionally Content-Encoding: gzip): spans folded into observed DEPENDS_ON edges, flushed as source otel, scope live',
    body: z.object({ resourceSpans: z.array(z.unknown()) }).loose(),
    response: z.object({ partialSuccess: z.object({ rejectedSpans: z.number().int().optional(), errorMessage: z.string().optional() }).optional() }),
  };
  const { receiver, limits } = deps;
  // The API's JSON reader: UTF-8 or UTF-16, its depth bounded, no __proto__ key (json-body.ts).
  const json = jsonBodyReader(limits.bodyBytes);
  const raw = express.raw({ limit: limits.bodyBytes, type: () => true });
  const isProtobuf = (req: Request) => req.is(PROTOBUF) !== false && req.is(PROTOBUF) !== null;
  // The table's role check runs after `authenticate`; then the body is read in the encoding it was sent in.
  const table = new RouteTable('', [deps.authenticate, (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    if (isProtobuf(req)) return next();
    if (req.is('application/json')) return next();
    next(new HttpError(415, 'unsupported_media_type', 'send OTLP/HTTP as Content-Type: application/x-protobuf or application/json'));
  }]);
  table.route(op,
    (req: Request, res: Response, next: NextFunction) => {
      if (isProtobuf(req)) return raw(req, res, next);
      return json(req, res, next);
    },
    (req: Request, res: Response) => {
      if (isProtobuf(req)) {
        let msg;
        try {
          msg = decodeTraceRequest(req.body as Buffer);
        } catch (e) {
          throw new InputError((e as OtlpFormatError).message, undefined, 'invalid_otlp');
        }
        const result = unlessBusy(res, () => receiver.acceptProto(msg));
        res.type('application/x-protobuf').send(encodeTraceResponse(partialOf(result)));
        return;
      }
      const result = unlessBusy(res, () => receiver.accept(req.body));
      const partial = partialOf(result);
      res.json(partial ? { partialSuccess: partial } : {});
    },
  );
  // An SDK given OTEL_EXPORTER_OTLP_ENDPOINT sends every signal it exports under it: say plainly that only
  // traces are taken here (404 is not retried, so the exporter gives up instead of queueing).
  table.router.post(OTHER_SIGNALS, (req: Request) => {
    const signal = req.path.slice(4);
    throw new NotFoundError(`servicegraph receives OTLP traces only (POST /v1/traces), not ${signal}: turn that exporter off (OTEL_${signal.toUpperCase()}_EXPORTER=none) or send ${signal} elsewhere`);
  });
  table.router.use(
    (err: unknown, req: Request, res: Response, next: NextFunction) => {
      // A protobuf client reads a google.rpc.Status from an error answer (the OTLP/HTTP spec).
      if (!(req.path === '/v1/traces' || OTHER_SIGNALS.includes(req.path)) || !isProtobuf(req)) return next(err);
      const status = statusOf(err);
      // 503 (the fold is busy) is a retryable refusal, told like the 4xx ones; other 5xx go to the log.
      if (status >= 500 && status !== 503) return next(err);
      const message = (err as Error).message;
      res.status(status).type('application/x-protobuf').send(encodeStatus(grpcCodeOf(status), message));
    },
  );
  return table;
}

/** A fold that is not keeping up refuses the request as retryable: 503 with Retry-After, as the OTLP spec asks. */
function unlessBusy(res: Response, accept: () => ExportResult): ExportResult {
  try {
    return accept();
  } catch (e) {
    if (e instanceof FoldBusyError) res.setHeader('retry-after', '1');
    throw e;
  }
}

function partialOf(result: { rejected: number; errorMessage?: string }) {
  if (!result.rejected && !result.errorMessage) return null;
  return { rejectedSpans: result.rejected, ...(result.errorMessage ? { errorMessage: result.errorMessage } : {}) };
}
