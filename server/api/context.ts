import type { GraphStore } from '../store/port.ts';
import type { Limits } from '../model/limits.ts';
import type { ChangeFeed } from '../live/change-feed.ts';
import type { TopologyService } from '../topology/topology-service.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { OtlpReceiver } from '../otlp/receiver.ts';

/** What route factories receive: the services, never each other. */
export interface ApiContext {
  store: GraphStore;
  limits: Limits;
  feed: ChangeFeed;
  /** Share of a scope a completing run may retire without `force`. */
  maxRetireShare: number;
  /** How long an ingest batch's reply is kept under its Idempotency-Key (ms). */
  idempotencyTtlMs?: number;
  /** Directory holding the built web app, served at `/` when present. */
  webDist?: string;
  /** Thresholds for observed-edge state, in minutes (Faddom: active < 30 min, idle < 24 h). */
  edgeState: { activeMinutes: number; idleMinutes: number };
  /** The in-memory topology projection (impact analysis installs it; see server/topology/README.md). */
  topology?: TopologyService;
  /** Structured logs (pino) and Prometheus metrics; absent in tests that build a bare context. */
  logger?: Logger;
  metrics?: Metrics;
  /** The live OTLP receiver (installed with its routes and gRPC port). */
  otlp?: OtlpReceiver;
  /** Background loops report here; /healthz shows each one's status. */
  health?: Record<string, () => unknown>;
  /** Filled by feature modules that keep state (impact's topology projection, the OTLP receiver, ...). */
  [feature: string]: unknown;
}
