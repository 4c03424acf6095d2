import type {
  ChangeAssessment, ChangeInput, ChangeRecord, CiDetail, CiRecord, DiffResult, FailedCi, GraphQuery, GraphResult,
  ImpactMapRequest, ImpactReply, IncidentInput, IncidentListItem, IncidentView, RootCauseReply, AlertRecord, HealthSnapshot, SituationView,
  CalendarReply, ChangePatch, ChangeView, IncidentPatch, Role, TokenInfo, AuditEntry,
} from './types.ts';
import { ACTIVE_CHANGE_STATUSES, OPEN_INCIDENT_STATUSES } from './work.ts';

export interface IncidentFilter { status?: string[]; priority?: string[]; ci?: string; service?: string; assignee?: string; from?: string; to?: string; limit?: number; cursor?: string }
export interface ChangeFilter { status?: string[]; type?: string; ci?: string; q?: string; from?: string; to?: string; limit?: number; cursor?: string }
type Page<T> = { items: T[]; nextCursor: string | null };
export interface NewToken { name: string; role: Role; team?: string; expiresInDays?: number }

/** An API error as the server reports it: `{error: {code, message, details}}`. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

type Fetch = typeof fetch;

/** Query strings drop empty values so that defaults stay the server's to choose. */
export function queryString(params: Record<string, string | number | string[] | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) { if (v.length) q.set(k, v.join(',')); continue; }
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function graphQueryString(g: GraphQuery): string {
  return queryString({
    focus: g.focus, depth: g.depth, direction: g.direction, classes: g.classes, environment: g.environment,
    owner: g.owner, asOf: g.asOf, group: g.group, expand: g.expand,
  });
}

/** The typed client of /api/v1. One instance per signed-in token. */
export class Api {
  /** Called on 401 (the token is unknown, revoked or expired) so the app can sign out and say why. */
  onUnauthorized: (() => void) | null = null;
  /** Called on 503 `starting` (the server listens but is still loading its projection) so the app can say so and wait. */
  onStarting: (() => void) | null = null;

  constructor(private readonly token: string, private readonly base = '/api/v1', private readonly fetcher: Fetch = (...a) => fetch(...a)) {}

  private async call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const res = await this.fetcher(this.base + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const text = await res.text();
    const json = text ? safeJson(text) : undefined;
    if (!res.ok) {
      if (res.status === 401) this.onUnauthorized?.();
      const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      if (res.status === 503 && e?.code === 'starting') this.onStarting?.();
      throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? (res.statusText || 'request failed'), e?.details);
    }
    return json as T;
  }

  listCis(p: { q?: string; class?: string; environment?: string; owner?: string; limit?: number; cursor?: string }, signal?: AbortSignal) {
    return this.call<{ items: CiRecord[]; nextCursor: string | null }>('GET', `/cis${queryString(p)}`, undefined, signal);
  }
  getCi(id: string, signal?: AbortSignal) {
    return this.call<CiDetail>('GET', `/cis/${encodeURIComponent(id)}`, undefined, signal);
  }
  /** The version of a CI valid at `asOf`, with the relations it had then (no sources or history: those are today's). */
  getCiAsOf(id: string, asOf: string, signal?: AbortSignal) {
    return this.call<Omit<CiDetail, 'sources' | 'history'>>('GET', `/cis/${encodeURIComponent(id)}${queryString({ asOf })}`, undefined, signal);
  }
  graph(q: GraphQuery, signal?: AbortSignal) {
    return this.call<GraphResult>('GET', `/graph${graphQueryString(q)}`, undefined, signal);
  }
  /** The map of a blast radius of any size (failed CIs, or a change's worst case), grouped by the server. */
  impactMap(body: ImpactMapRequest) {
    return this.call<GraphResult>('POST', '/graph/impact', body);
  }
  diff(from: string, to: string) {
    return this.call<DiffResult>('GET', `/diff${queryString({ from, to })}`);
  }
  impact(failed: FailedCi[], asOf?: string) {
    return this.call<ImpactReply>('POST', '/impact', asOf ? { failed, asOf } : { failed });
  }
  openIncident(p: IncidentInput) {
    return this.call<IncidentView>('POST', '/incidents', p);
  }
  /** Incidents not yet resolved (open and investigating), for the badges on the map. */
  async listUnresolvedIncidents(): Promise<IncidentListItem[]> {
    const lists = await Promise.all(OPEN_INCIDENT_STATUSES.map((s) => this.call<{ items: IncidentListItem[] }>('GET', `/incidents${queryString({ status: s, limit: 1000 })}`)));
    return lists.flatMap((l) => l.items);
  }
  /** Changes that may still happen (planned, approved, in progress); whose window has not ended is the caller's to judge. */
  async listActiveChanges(): Promise<ChangeRecord[]> {
    const lists = await Promise.all(ACTIVE_CHANGE_STATUSES.map((s) => this.call<{ items: ChangeRecord[] }>('GET', `/changes${queryString({ status: s, limit: 1000 })}`)));
    return lists.flatMap((l) => l.items);
  }
  createChange(p: ChangeInput) {
    return this.call<ChangeView>('POST', '/changes', p);
  }
  assessment(changeId: string) {
    return this.call<ChangeAssessment>('GET', `/changes/${encodeURIComponent(changeId)}/assessment`);
  }
  /** Live health from alerts: alerting CIs and the dependents they take down or degrade. */
  alertHealth() {
    return this.call<HealthSnapshot>('GET', '/alerts/health');
  }
  situations(status?: 'open' | 'resolved') {
    return this.call<{ items: SituationView[]; noise: HealthSnapshot['noise'] }>('GET', `/situations${queryString({ status })}`);
  }
  alerts(p: { status?: string; bound?: 'true' | 'false'; limit?: number }) {
    return this.call<{ items: AlertRecord[] }>('GET', `/alerts${queryString(p)}`);
  }
  openSituationIncident(id: string) {
    return this.call<SituationView>('POST', `/situations/${encodeURIComponent(id)}/incident`, {});
  }
  resolveIncident(id: string) {
    return this.updateIncident(id, { status: 'resolved' });
  }
  incidents(f: IncidentFilter = {}) {
    return this.call<Page<IncidentListItem>>('GET', `/incidents${queryString({ ...f })}`);
  }
  incident(id: string) {
    return this.call<IncidentView>('GET', `/incidents/${encodeURIComponent(id)}`);
  }
  updateIncident(id: string, p: IncidentPatch) {
    return this.call<IncidentView>('PATCH', `/incidents/${encodeURIComponent(id)}`, p);
  }
  addNote(id: string, text: string) {
    return this.call<IncidentView>('POST', `/incidents/${encodeURIComponent(id)}/notes`, { text });
  }
  changes(f: ChangeFilter = {}) {
    return this.call<Page<ChangeRecord>>('GET', `/changes${queryString({ ...f })}`);
  }
  change(id: string) {
    return this.call<ChangeView>('GET', `/changes/${encodeURIComponent(id)}`);
  }
  updateChange(id: string, p: ChangePatch) {
    return this.call<ChangeView>('PATCH', `/changes/${encodeURIComponent(id)}`, p);
  }
  decide(id: string, team: string, decision: 'approve' | 'reject', comment?: string) {
    return this.call<ChangeView>('POST', `/changes/${encodeURIComponent(id)}/approvals`, comment ? { team, decision, comment } : { team, decision });
  }
  reassess(id: string) {
    return this.call<ChangeAssessment>('POST', `/changes/${encodeURIComponent(id)}/assessment`);
  }
  calendar(from: string, to: string) {
    return this.call<CalendarReply>('GET', `/calendar${queryString({ from, to })}`);
  }
  whoami() {
    return this.call<TokenInfo>('GET', '/whoami');
  }
  /** Every token (admin), never a secret. */
  listTokens() {
    return this.call<{ items: TokenInfo[] }>('GET', '/tokens');
  }
  /** A new token (admin): its secret is in this reply only. */
  createToken(body: NewToken) {
    return this.call<TokenInfo & { token: string }>('POST', '/tokens', body);
  }
  /** Revoke a token (admin): refused at once, its live connections closed. */
  revokeToken(id: string) {
    return this.call<void>('DELETE', `/tokens/${encodeURIComponent(id)}`);
  }
  /** Rotate a token (admin): a new secret for the same name, role, team and expiry (in this reply only); the old one is revoked. */
  rotateToken(id: string) {
    return this.call<TokenInfo & { token: string; replaces: string }>('POST', `/tokens/${encodeURIComponent(id)}/rotate`);
  }
  /** The admin audit trail (admin): who created, rotated or revoked which token, newest first. */
  audit(limit = 200) {
    return this.call<{ items: AuditEntry[] }>('GET', `/audit${queryString({ limit: String(limit) })}`);
  }
  rootCause(incidents: string[]) {
    return this.call<RootCauseReply>('POST', '/root-cause', { incidents });
  }
}

function safeJson(text: string): unknown {
  try { return JSON.parse(text); } catch { return undefined; }
}
