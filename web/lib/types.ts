/**
 * Types the UI shares with the server. The graph, CI and live shapes come from the server's model
 * (type-only imports: nothing of the server is bundled). Impact, incident, change and root-cause
 * shapes are written here against the API contract until their schemas land in server/model.
 */
export type { CiRecord, CiDetail, CiVersion, SourceAssertion, RelationRecord, GraphResult, GraphNode, GraphEdge, DiffResult, ChangeEvent } from '../../server/model/records.ts';
export type { ServerMessage, ClientMessage } from '../../server/live/messages.ts';

export type FailState = 'down' | 'degraded';
export type ImpactState = 'down' | 'degraded' | 'maintenance';

export interface FailedCi { ci: string; state: FailState }

export interface ImpactedCi {
  id: string;
  name: string;
  class: string;
  tier: number | null;
  state: ImpactState;
  depth: number;
  path: string[];
  reason: string;
}

export interface ImpactResult {
  impacted: ImpactedCi[];
  services: ImpactedCi[];
  truncated: boolean;
}

export interface Incident {
  id: string;
  title: string;
  priority: string;
  urgency: number;
  cis: FailedCi[];
  startedAt?: string;
  impact?: ImpactResult;
}

export type ChangeType = 'standard' | 'normal' | 'emergency';

export interface Change {
  id: string;
  title: string;
  type: ChangeType;
  window: { start: string; end: string };
  cis: string[];
}

export interface RiskFactor { name: string; weight?: number; score?: number; detail?: string; [k: string]: unknown }

export interface Assessment {
  risk: { score: number; level: string; factors: RiskFactor[] };
  blastRadius: ImpactedCi[] | { impacted: ImpactedCi[]; services?: ImpactedCi[] };
  collisions: { changeId?: string; id?: string; title?: string; sharedServices?: string[]; [k: string]: unknown }[];
  blackouts: { id?: string; title?: string; name?: string; start?: string; end?: string; [k: string]: unknown }[];
  approvers: (string | { owner?: string; team?: string; services?: string[]; [k: string]: unknown })[];
}

export interface RecentChange { at: string; kind: string; title?: string; detail?: string; [k: string]: unknown }

export interface RootCauseCandidate {
  id: string;
  name?: string;
  class?: string;
  score: number;
  explains: string[];
  paths: string[][];
  recentChanges: RecentChange[];
}

export interface GraphQuery {
  focus?: string[];
  depth?: number;
  direction?: 'upstream' | 'downstream' | 'both';
  classes?: string[];
  environment?: string;
  owner?: string;
  asOf?: string;
  group?: 'auto' | 'none';
  expand?: string;
}
