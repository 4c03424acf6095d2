import { z } from 'zod';
import { Priority, PriorityResult } from './incidents.ts';
import { ImpactedService } from './impact.ts';
import { RefusedItem } from './ingest.ts';

/**
 * Event management (design.md section 11): alerts from monitoring, the rules that bind them to CIs,
 * and situations. The receivers parse Alertmanager's and Grafana's webhook bodies into the generic alert.
 */

/** RFC 3339 with any sub-second precision and an offset, as Go's time.Time marshals it. */
const Rfc3339 = z.iso.datetime({ offset: true, error: 'expected an RFC 3339 time with a zone, such as 2026-12-05T07:40:19.123Z or 2026-12-05T08:40:19+01:00' });
/** Go's zero time ("0001-01-01T00:00:00Z") is how Alertmanager and Grafana say "no end yet". */
const isZeroTime = (s: string) => s.startsWith('0001-01-01');
const EndTime = Rfc3339.nullable().optional().transform((s) => (s && !isZeroTime(s) ? new Date(s).toISOString() : null));
const StartTime = Rfc3339.transform((s) => new Date(s).toISOString());

const LabelMap = z.record(z.string().max(200), z.string().max(4096))
  .refine((m) => Object.keys(m).length <= 100, 'at most 100 labels')
  .describe('label name → value, as Prometheus and Grafana send them');
const AnnotationMap = z.record(z.string().max(200), z.string().max(16_384))
  .refine((m) => Object.keys(m).length <= 100, 'at most 100 annotations');

export const AlertStatus = z.enum(['firing', 'resolved']);
export type AlertStatus = z.infer<typeof AlertStatus>;

/** The generic alert every receiver produces; also the body of `POST /api/v1/alerts`. */
export const GenericAlert = z.strictObject({
  source: z.string().min(1).max(100).describe('the monitoring system, e.g. alertmanager, grafana, zabbix'),
  fingerprint: z.string().min(1).max(200).describe('stable identity of the alert within its source: deliveries are idempotent by (source, fingerprint)'),
  status: AlertStatus,
  severity: z.string().min(1).max(40).optional().describe('critical, warning, info, none...; defaults to the `severity` label, else warning'),
  labels: LabelMap.default({}),
  annotations: AnnotationMap.default({}),
  startsAt: StartTime.describe('RFC 3339 time the alert started firing'),
  endsAt: EndTime.describe('RFC 3339 time it resolved (resolved alerts) or will be considered stale (firing); null or Go\'s zero time for none'),
  generatorURL: z.string().max(4096).optional(),
});
export type GenericAlert = z.output<typeof GenericAlert>;

export const MAX_ALERTS_PER_DELIVERY = 10_000;
export const GenericAlertBatch = z.strictObject({ alerts: z.array(GenericAlert).min(1).max(MAX_ALERTS_PER_DELIVERY) });

/**
 * A delivery as its envelope, its alerts only as a list of at most MAX_ALERTS_PER_DELIVERY: each alert is then judged
 * alone (api/judge-items.ts), so that one bad alert refuses itself, not the delivery; the count is known before any
 * alert is read.
 */
const alertList = z.array(z.unknown()).max(MAX_ALERTS_PER_DELIVERY);
export const GenericAlertEnvelope = z.strictObject({ alerts: alertList.min(1) });

/**
 * Alertmanager's webhook_config body, version 4 (prometheus.io/docs/alerting/latest/configuration/#webhook_config).
 * Loose objects: Alertmanager adds fields over releases, and an unknown one must not refuse a page.
 */
export const AlertmanagerAlert = z.looseObject({
  status: AlertStatus,
  labels: LabelMap,
  annotations: AnnotationMap.default({}),
  startsAt: StartTime,
  endsAt: EndTime,
  generatorURL: z.string().max(4096).optional(),
  fingerprint: z.string().min(1).max(200),
});
export const AlertmanagerWebhook = z.looseObject({
  version: z.literal('4', { error: 'expected "4": the Alertmanager webhook payload version this receiver reads' }),
  groupKey: z.string().max(8192),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: AlertStatus,
  receiver: z.string().max(1000),
  groupLabels: LabelMap.default({}),
  commonLabels: LabelMap.default({}),
  commonAnnotations: AnnotationMap.default({}),
  externalURL: z.string().max(4096).default(''),
  alerts: z.array(AlertmanagerAlert).max(MAX_ALERTS_PER_DELIVERY),
});
export type AlertmanagerWebhook = z.output<typeof AlertmanagerWebhook>;
export const AlertmanagerEnvelope = AlertmanagerWebhook.extend({ alerts: alertList });

/** Grafana alerting's webhook contact point body (grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/). */
export const GrafanaAlert = AlertmanagerAlert.extend({
  silenceURL: z.string().max(4096).optional(),
  dashboardURL: z.string().max(4096).optional(),
  panelURL: z.string().max(4096).optional(),
  values: z.record(z.string(), z.number().nullable()).nullable().optional(),
  valueString: z.string().max(16_384).optional(),
});
export const GrafanaWebhook = z.looseObject({
  receiver: z.string().max(1000),
  status: AlertStatus,
  orgId: z.number().int(),
  alerts: z.array(GrafanaAlert).max(MAX_ALERTS_PER_DELIVERY),
  groupLabels: LabelMap.default({}),
  commonLabels: LabelMap.default({}),
  commonAnnotations: AnnotationMap.default({}),
  externalURL: z.string().max(4096).default(''),
  version: z.string().max(10),
  groupKey: z.string().max(8192),
  truncatedAlerts: z.number().int().min(0).default(0),
  title: z.string().max(16_384).optional(),
  state: z.string().max(40).optional(),
  message: z.string().max(65_536).optional(),
});
export type GrafanaWebhook = z.output<typeof GrafanaWebhook>;
export const GrafanaEnvelope = GrafanaWebhook.extend({ alerts: alertList });

// ---- binding rules -------------------------------------------------------------------------

/**
 * One binding rule: when the alert carries every label in `requires` (and none in `unless`), each
 * target is tried in order; a target names a CI class and identifier values from labels.
 * Values: `$label`, `$a|b|c` (first present), `host($label)` (host part of host:port or a URL),
 * `workload($label)` (the workload name a pod name derives from), `$default.environment`, `$cluster`
 * (the label, else every known cluster), and literals.
 */
export const BindingTarget = z.strictObject({
  class: z.string().min(1),
  name: z.string().optional().describe('value expression for the CI name'),
  environment: z.string().optional(),
  identifiers: z.record(z.string(), z.string()).default({}),
});
export const BindingRule = z.strictObject({
  name: z.string().min(1).max(100),
  requires: z.array(z.string().min(1)).min(1).describe('labels that must be present; `a|b` means either'),
  unless: z.array(z.string().min(1)).default([]).describe('labels whose presence skips the rule'),
  match: z.record(z.string(), z.string()).default({}).describe('label → regular expression its whole value must match'),
  targets: z.array(BindingTarget).min(1),
});
export type BindingRule = z.output<typeof BindingRule>;
export const BindingConfig = z.strictObject({
  defaults: z.strictObject({ environment: z.string().default('production') }).default({ environment: 'production' }),
  rules: z.array(BindingRule).min(1),
});
export type BindingConfig = z.output<typeof BindingConfig>;

// ---- records -------------------------------------------------------------------------------

export const HealthState = z.enum(['down', 'degraded', 'none']);
export type HealthState = z.infer<typeof HealthState>;

export const AlertBinding = z.object({
  ci: z.string().nullable(),
  name: z.string().nullable(),
  class: z.string().nullable(),
  rule: z.string().nullable().describe('the binding rule that matched'),
  reason: z.string().describe('why it bound (rule and identifiers) or why nothing bound'),
});
export type AlertBinding = z.infer<typeof AlertBinding>;

export const AlertRecord = z.object({
  id: z.string(),
  source: z.string(),
  fingerprint: z.string(),
  name: z.string().describe('the alertname label'),
  status: z.enum(['firing', 'resolved', 'expired']),
  severity: z.string(),
  health: HealthState.describe('what the alert does to its CI while it fires'),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  startsAt: z.string(),
  endsAt: z.string().nullable(),
  generatorURL: z.string().nullable(),
  binding: AlertBinding,
  expected: z.object({ kind: z.enum(['change', 'window']), id: z.string(), title: z.string() }).nullable()
    .describe('set when its CI was inside an active change or maintenance window when it fired: it opens nothing'),
  situation: z.string().nullable(),
  firstReceivedAt: z.string(),
  lastReceivedAt: z.string(),
  updatedAt: z.string(),
});
export type AlertRecord = z.infer<typeof AlertRecord>;

export const AlertListQuery = z.strictObject({
  status: z.enum(['firing', 'resolved', 'expired']).optional(),
  bound: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  asOf: z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString()).optional()
    .describe('what was firing at that time (history)'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type AlertListQuery = z.output<typeof AlertListQuery>;

export const DeliveryReply = z.object({
  received: z.number().int(),
  changed: z.number().int().describe('alerts whose state changed; a duplicate or stale delivery changes nothing'),
  bound: z.number().int(),
  unbound: z.number().int(),
  expected: z.number().int(),
  truncatedAlerts: z.number().int().describe('alerts Alertmanager left out of this delivery (max_alerts)'),
  situations: z.array(z.string()),
  refused: z.array(RefusedItem).describe('alerts refused one by one, by their place in the delivery (alerts.<index>); the others were received'),
});
export type DeliveryReply = z.infer<typeof DeliveryReply>;

export const TimelineEntry = z.object({ at: z.string(), text: z.string(), alert: z.string().optional() });
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const SituationCause = z.object({
  ci: z.string(), name: z.string(), class: z.string(),
  recentChanges: z.array(z.object({ at: z.string(), summary: z.string(), ref: z.string().optional() }))
    .describe('changes and new versions on the cause shortly before the situation opened, newest first'),
});

/** What is stored: the facts. Priority and impacted services are computed on read from the live graph. */
export const SituationRecord = z.object({
  id: z.string(),
  status: z.enum(['open', 'resolved']),
  openedAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
  cause: SituationCause,
  alerts: z.array(z.string()).describe('alert ids'),
  mergedInto: z.string().nullable().describe('set when a later, better cause absorbed this situation'),
  incident: z.string().nullable(),
  proposeResolveIncident: z.boolean(),
  timeline: z.array(TimelineEntry),
});
export type SituationRecord = z.infer<typeof SituationRecord>;

export const SituationAlert = AlertRecord.pick({ id: true, name: true, status: true, severity: true, startsAt: true, endsAt: true, labels: true, annotations: true, binding: true });

export const SituationView = SituationRecord.omit({ alerts: true }).extend({
  priority: PriorityResult,
  alerts: z.array(SituationAlert),
  impactedServices: z.array(ImpactedService),
  impactedServiceCount: z.number().int(),
});
export type SituationView = z.infer<typeof SituationView>;

export const SituationListQuery = z.strictObject({
  status: z.enum(['open', 'resolved']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type SituationListQuery = z.output<typeof SituationListQuery>;

export const SituationIncidentInput = z.strictObject({ urgency: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional() });

/** Alerts in, situations out: the noise reduction an operator is spared. */
export const NoiseReport = z.object({ alerts: z.number().int(), situations: z.number().int(), reduction: z.number().describe('1 - situations / alerts') });

export const HealthSnapshot = z.object({
  at: z.string(),
  alerting: z.array(z.object({
    ci: z.string(), name: z.string().nullable().describe('null when the CI is not in the live graph'), state: z.enum(['down', 'degraded']), alerts: z.number().int(),
  })),
  impacted: z.array(z.object({
    ci: z.string(), state: z.enum(['down', 'degraded', 'maintenance']),
    // An index, not the id: a snapshot lists up to thousands of dependents and reaches every live map.
    via: z.number().int().describe('the alerting CI it is down or degraded through (the start of one shortest path to it), as its index in `alerting`'),
  })).describe('dependents taken down or degraded by the alerting CIs (redundancy-aware), nearest first, capped'),
  total: z.number().int(),
  truncated: z.boolean(),
  noise: NoiseReport,
});
export type HealthSnapshot = z.infer<typeof HealthSnapshot>;

export const AutoIncidentPriority = Priority.nullable();
