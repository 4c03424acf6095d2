import type { Router } from 'express';
import type { ApiContext } from '../api/context.ts';
import type { Config } from '../config.ts';
import { otlpRoutes } from '../api/routes/otlp.ts';
import { tokenResolver } from '../api/auth.ts';
import { silentLogger } from '../log.ts';
import { OtlpReceiver } from './receiver.ts';
import { startGrpcReceiver, type GrpcReceiver } from './grpc-server.ts';

export interface OtlpFeature { receiver: OtlpReceiver; grpc: GrpcReceiver | null; routers: Router[]; stop(): Promise<void> }

/**
 * Starts the live receiver (sets `ctx.otlp`): OTLP/HTTP at /v1/traces (its root router) and, unless
 * turned off, OTLP/gRPC on its own port. `stop` closes the gRPC port and makes the final flush.
 */
export async function installOtlp(ctx: ApiContext, config: Pick<Config, 'otlp' | 'otlpGrpcPort' | 'host'>): Promise<OtlpFeature> {
  const logger = ctx.logger ?? silentLogger();
  const receiver = new OtlpReceiver({
    store: ctx.store, limits: ctx.limits, maxRetireShare: ctx.maxRetireShare, settings: config.otlp, logger,
    afterCommit: () => void ctx.feed.poke(),
  });
  ctx.otlp = receiver;
  receiver.start();
  let grpc: GrpcReceiver | null = null;
  if (config.otlpGrpcPort !== null) {
    try {
      grpc = await startGrpcReceiver({
        host: config.host, port: config.otlpGrpcPort, receiver, maxMessageBytes: ctx.limits.bodyBytes,
        resolveToken: tokenResolver(ctx.store), logger, onCall: ctx.metrics?.grpcCall,
      });
    } catch (e) {
      await receiver.stop();
      throw new Error(`OTLP/gRPC cannot listen on ${config.host}:${config.otlpGrpcPort} (${(e as Error).message}); set SERVICEGRAPH_OTLP_GRPC_PORT to a free port, or to off`);
    }
  }
  return {
    receiver, grpc, routers: [otlpRoutes({ store: ctx.store, limits: ctx.limits, receiver })],
    async stop() {
      await grpc?.close();
      await receiver.stop();
    },
  };
}
