import type { Router } from 'express';
import type { ApiContext } from '../api/context.ts';
import { otlpRoutes } from '../api/routes/otlp.ts';
import { OtlpReceiver, otlpSettingsFromEnv, type OtlpSettings } from './receiver.ts';

/** Starts the live receiver (sets `ctx.otlp`) and returns its root router and its final flush. */
export function installOtlp(ctx: ApiContext, settings: OtlpSettings = otlpSettingsFromEnv()): { routers: Router[]; stop(): Promise<void> } {
  const receiver = new OtlpReceiver({
    store: ctx.store, limits: ctx.limits, maxRetireShare: ctx.maxRetireShare, settings,
    afterCommit: () => void ctx.feed.poke(),
  });
  ctx.otlp = receiver;
  receiver.start();
  return { routers: [otlpRoutes(ctx)], stop: () => receiver.stop() };
}
