import * as grpc from '@grpc/grpc-js';
import type { TokenInfo } from '../model/records.ts';
import { bearerToken, roleProblem } from '../api/auth.ts';
import type { Logger } from '../log.ts';
import { FoldBusyError, type OtlpReceiver } from './receiver.ts';
import { decodeTraceRequest, encodeTraceResponse, TRACE_EXPORT_PATH } from './otlp-proto.ts';

export interface GrpcReceiver { port: number; close(): Promise<void> }

type Reply = { partial: { rejectedSpans: number; errorMessage?: string } | null };

/**
 * OTLP/gRPC: TraceService/Export on its own port (4317, as every SDK and the Collector's `otlp`
 * exporter expect), served by grpc-js. The bearer token comes in the `authorization` metadata, checked before
 * the message is read, exactly as on HTTP (exporter setting `headers: {authorization: "Bearer ..."}`); gzip-compressed messages are
 * inflated by grpc-js. Replies with partial success as the OTLP specification says.
 */
export async function startGrpcReceiver(deps: {
  host: string; port: number; receiver: OtlpReceiver; maxMessageBytes: number;
  resolveToken: (token: string) => Promise<TokenInfo | null>; logger?: Pick<Logger, 'warn'>;
  /** Called once per call with its outcome, for metrics and logs. */
  onCall?: (code: grpc.status, ms: number) => void;
}): Promise<GrpcReceiver> {
  const fail = (code: grpc.status, details: string): Partial<grpc.StatusObject> => ({ code, details });
  /** Why a call's metadata does not let it export, or null: the same token and role checks as on HTTP. */
  const refusal = async (metadata: grpc.Metadata): Promise<Partial<grpc.StatusObject> | null> => {
    const header = metadata.get('authorization')[0];
    const token = bearerToken(typeof header === 'string' ? header : undefined);
    if (!token) return fail(grpc.status.UNAUTHENTICATED, 'send the metadata authorization: Bearer <token>');
    let principal: TokenInfo | null;
    try {
      principal = await deps.resolveToken(token);
    } catch (e) {
      deps.logger?.warn({ err: e }, `otlp grpc: ${(e as Error).message}`);
      return fail(grpc.status.UNAVAILABLE, 'the token store is unavailable; retry');
    }
    if (!principal) return fail(grpc.status.UNAUTHENTICATED, 'unknown token');
    const denied = roleProblem(principal, 'collector');
    return denied ? fail(grpc.status.PERMISSION_DENIED, denied.message) : null;
  };
  /**
   * The caller is checked from the call's metadata before its message is read: grpc-js reads a unary call's message
   * (up to maxMessageBytes, 16 MiB) only once the metadata has passed the interceptors, so an anonymous sender
   * never costs the server a buffered message, as on HTTP (server/api/auth.ts).
   */
  const authenticateFirst: grpc.ServerInterceptor = (_method, call) => {
    const started = performance.now();
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => next({
        onReceiveMetadata: (metadata, pass) => {
          void refusal(metadata).then((refused) => {
            if (!refused) return pass(metadata);
            deps.onCall?.(refused.code!, performance.now() - started);
            call.sendStatus({ code: refused.code!, details: refused.details!, metadata: new grpc.Metadata() });
          });
        },
      }),
    });
  };
  const server = new grpc.Server({ 'grpc.max_receive_message_length': deps.maxMessageBytes, interceptors: [authenticateFirst] });
  const service: grpc.ServiceDefinition = {
    Export: {
      path: TRACE_EXPORT_PATH, requestStream: false, responseStream: false, originalName: 'export',
      // The raw bytes: decoding in the handler lets a malformed message become INVALID_ARGUMENT.
      requestDeserialize: (b: Buffer) => b,
      requestSerialize: (b: Buffer) => b,
      responseSerialize: (r: Reply) => encodeTraceResponse(r.partial),
      responseDeserialize: (b: Buffer) => b,
    },
  };
  server.addService(service, {
    // Reached only by a collector's (or admin's) call: authenticateFirst refused the others.
    Export: (call: grpc.ServerUnaryCall<Buffer, Reply>, callback: grpc.sendUnaryData<Reply>) => {
      const started = performance.now();
      const done = (err: Partial<grpc.StatusObject> | null, reply?: Reply) => {
        deps.onCall?.(err?.code ?? grpc.status.OK, performance.now() - started);
        callback(err, reply);
      };
      let msg;
      try {
        msg = decodeTraceRequest(call.request);
      } catch (e) {
        return done(fail(grpc.status.INVALID_ARGUMENT, (e as Error).message));
      }
      let result;
      try {
        result = deps.receiver.acceptProto(msg);
      } catch (e) {
        // The group's fold is not keeping up: UNAVAILABLE is the code exporters retry with backoff.
        if (e instanceof FoldBusyError) return done(fail(grpc.status.UNAVAILABLE, e.message));
        throw e;
      }
      const partial = result.rejected || result.errorMessage ? { rejectedSpans: result.rejected, ...(result.errorMessage ? { errorMessage: result.errorMessage } : {}) } : null;
      done(null, { partial });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${deps.host.includes(':') ? `[${deps.host}]` : deps.host}:${deps.port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      // In-flight calls get a moment to finish, then the rest are cut.
      const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, 2_000);
      server.tryShutdown(() => { clearTimeout(timer); resolve(); });
    }),
  };
}
