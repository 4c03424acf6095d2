import { z } from 'zod';
import { parseBody, parseQuery } from '../validate.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';
import {
  AlertListQuery, AlertmanagerAlert, AlertmanagerEnvelope, AlertmanagerWebhook, AlertRecord, BindingConfig, DeliveryReply, GenericAlert, GenericAlertBatch,
  GenericAlertEnvelope, GrafanaAlert, GrafanaEnvelope, GrafanaWebhook, HealthSnapshot,
  NoiseReport, SituationIncidentInput, SituationListQuery, SituationView,
} from '../../model/alerts.ts';
import { fromAlertmanager, fromGrafana } from '../../domain/alerts/parse.ts';
import type { AlertService } from '../../alerts/alert-service.ts';
import type { AlertSettings } from '../../alerts/settings.ts';
import { judgeItems } from '../judge-items.ts';
import { deliveryBody } from '../delivery-body.ts';

const items = <T extends z.ZodType>(s: T) => z.object({ items: z.array(s) });

/** Event management's HTTP edge: receivers (collector role and above), alert and situation reads (viewer). */
export function alertRoutes(alerts: AlertService, settings: AlertSettings): ApiRoutes {
  return new RouteTable()
  .route({ method: 'post', path: '/alerts/alertmanager', summary: 'Alertmanager webhook receiver (payload version 4); idempotent by fingerprint', role: 'collector', body: AlertmanagerWebhook, response: DeliveryReply, rawBody: true }, async (req, res) => {
    // The envelope is judged whole (a bad one is a 400), each alert alone (a bad one is listed in `refused`).
    const body = deliveryBody(AlertmanagerEnvelope, req);
    const { accepted, refused } = await judgeItems(body.alerts, AlertmanagerAlert, 'alerts');
    res.json({ ...await alerts.receive(fromAlertmanager({ ...body, alerts: accepted }), { truncatedAlerts: body.truncatedAlerts }), refused });
  })
  .route({ method: 'post', path: '/alerts/grafana', summary: 'Grafana alerting webhook receiver', role: 'collector', body: GrafanaWebhook, response: DeliveryReply, rawBody: true }, async (req, res) => {
    const body = deliveryBody(GrafanaEnvelope, req);
    const { accepted, refused } = await judgeItems(body.alerts, GrafanaAlert, 'alerts');
    res.json({ ...await alerts.receive(fromGrafana({ ...body, alerts: accepted }), { truncatedAlerts: body.truncatedAlerts }), refused });
  })
  .route({ method: 'post', path: '/alerts', summary: 'Generic alert list', role: 'collector', body: GenericAlertBatch, response: DeliveryReply, rawBody: true }, async (req, res) => {
    const { accepted, refused } = await judgeItems(deliveryBody(GenericAlertEnvelope, req).alerts, GenericAlert, 'alerts');
    res.json({ ...await alerts.receive(accepted), refused });
  })
  .route({ method: 'get', path: '/alerts', summary: 'Alerts with the CI each bound to and by which rule (or why none); asOf: what was firing then', role: 'viewer', query: AlertListQuery, response: items(AlertRecord) }, async (req, res) => {
    res.json({ items: await alerts.listAlerts(parseQuery(AlertListQuery, req)) });
  })
  .route({ method: 'get', path: '/alerts/bindings', summary: 'The ordered binding rules in force', role: 'viewer', response: BindingConfig }, (_req, res) => {
    res.json({ source: settings.bindings.source, ...settings.bindings.config, severityHealth: { ...settings.severityHealth } });
  })
  .route({ method: 'get', path: '/alerts/health', summary: 'Live health: alerting CIs and the dependents they take down or degrade', role: 'viewer', response: HealthSnapshot }, async (_req, res) => {
    res.json(await alerts.health());
  })
  .route({ method: 'get', path: '/situations', summary: 'Situations, open ones by priority, with the noise reduction', role: 'viewer', query: SituationListQuery, response: items(SituationView).extend({ noise: NoiseReport }) }, async (req, res) => {
    res.json(await alerts.listSituations(parseQuery(SituationListQuery, req)));
  })
  .route({ method: 'get', path: '/situations/:id', summary: 'One situation: cause, alerts, impacted services, priority, timeline', role: 'viewer', response: SituationView }, async (req, res) => {
    res.json(await alerts.getSituation(req.params.id as string));
  })
  .route({ method: 'post', path: '/situations/:id/incident', summary: 'Open the situation\'s incident, linked both ways', role: 'change-manager', body: SituationIncidentInput, status: 201, response: SituationView }, async (req, res) => {
    const body = parseBody(SituationIncidentInput, req);
    res.status(201).json(await alerts.openIncident(req.params.id as string, req.principal!.name, body.urgency));
  });
}
