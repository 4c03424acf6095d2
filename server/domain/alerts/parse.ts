import type { AlertmanagerWebhook, GenericAlert, GrafanaWebhook } from '../../model/alerts.ts';

/**
 * Receivers are thin: each webhook body becomes generic alerts. Alertmanager's and Grafana's alert
 * objects share one shape (Grafana's notifier reuses Alertmanager's template data).
 */
type WebhookAlert = AlertmanagerWebhook['alerts'][number];

function generic(source: string, a: WebhookAlert): GenericAlert {
  return {
    source, fingerprint: a.fingerprint, status: a.status,
    severity: a.labels.severity,
    labels: a.labels, annotations: a.annotations,
    startsAt: a.startsAt, endsAt: a.endsAt ?? null,
    ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
  };
}

export const fromAlertmanager = (body: AlertmanagerWebhook): GenericAlert[] => body.alerts.map((a) => generic('alertmanager', a));
export const fromGrafana = (body: GrafanaWebhook): GenericAlert[] => body.alerts.map((a) => generic('grafana', a));

/** Critical pages: down; warnings: degraded; info and none change no health. Unknown severities count as warnings. */
export const defaultSeverityHealth: Readonly<Record<string, 'down' | 'degraded' | 'none'>> = {
  critical: 'down', page: 'down', error: 'down', high: 'down',
  warning: 'degraded', warn: 'degraded', medium: 'degraded',
  info: 'none', informational: 'none', none: 'none', low: 'none',
};

export function healthOfSeverity(severity: string, map: Readonly<Record<string, 'down' | 'degraded' | 'none'>> = defaultSeverityHealth) {
  const key = severity.toLowerCase();
  // Keys come from input: only the map's own entries count ("constructor" is a severity like any other).
  return Object.hasOwn(map, key) ? map[key] : 'degraded';
}
