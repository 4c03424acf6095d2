import { Router } from 'express';
import { z } from 'zod';
import { requireRole } from '../auth.ts';
import { parseBody, parseQuery } from '../validate.ts';
import type { Operation } from '../openapi.ts';
import type { ApiRoutes } from '../route-table.ts';
import {
  AlertListQuery, AlertmanagerWebhook, AlertRecord, BindingConfig, DeliveryReply, GenericAlertBatch, GrafanaWebhook, HealthSnapshot,
  NoiseReport, SituationIncidentInput, SituationListQuery, SituationView,
} from '../../model/alerts.ts';
import { fromAlertmanager, fromGrafana } from '../../domain/alerts/parse.ts';
import type { AlertService } from '../../alerts/alert-service.ts';
import type { AlertSettings } from '../../alerts/settings.ts';

/** Event management's HTTP edge: receivers (collector role and above), alert and situation reads (viewer). */
export function alertRoutes(alerts: AlertService, settings: AlertSettings): ApiRoutes {
  const r = Router();
  r.post('/alerts/alertmanager', requireRole('collector'), async (req, res) => {
    const body = parseBody(AlertmanagerWebhook, req);
    res.json(await alerts.receive(fromAlertmanager(body), { truncatedAlerts: body.truncatedAlerts }));
  });
  r.post('/alerts/grafana', requireRole('collector'), async (req, res) => {
    const body = parseBody(GrafanaWebhook, req);
    res.json(await alerts.receive(fromGrafana(body), { truncatedAlerts: body.truncatedAlerts }));
  });
  r.post('/alerts', requireRole('collector'), async (req, res) => {
    res.json(await alerts.receive(parseBody(GenericAlertBatch, req).alerts));
  });
  r.get('/alerts', requireRole('viewer'), async (req, res) => {
    res.json({ items: await alerts.listAlerts(parseQuery(AlertListQuery, req)) });
  });
  r.get('/alerts/bindings', requireRole('viewer'), (_req, res) => {
    res.json({ source: settings.bindingsSource, ...settings.bindings, severityHealth: settings.severityHealth });
  });
  r.get('/alerts/health', requireRole('viewer'), async (_req, res) => {
    res.json(await alerts.health());
  });
  r.get('/situations', requireRole('viewer'), async (req, res) => {
    res.json(await alerts.listSituations(parseQuery(SituationListQuery, req)));
  });
  r.get('/situations/:id', requireRole('viewer'), async (req, res) => {
    res.json(await alerts.getSituation(req.params.id as string));
  });
  r.post('/situations/:id/incident', requireRole('change-manager'), async (req, res) => {
    const body = parseBody(SituationIncidentInput, req);
    res.status(201).json(await alerts.openIncident(req.params.id as string, req.principal!.name, body.urgency));
  });
  return { router: r, operations: alertOperations() };
}

function alertOperations(): Operation[] {
  const items = <T extends z.ZodType>(s: T) => z.object({ items: z.array(s) });
  return [
  { method: 'post', path: '/api/v1/alerts/alertmanager', summary: 'Alertmanager webhook receiver (payload version 4); idempotent by fingerprint', role: 'collector', body: AlertmanagerWebhook, response: DeliveryReply },
  { method: 'post', path: '/api/v1/alerts/grafana', summary: 'Grafana alerting webhook receiver', role: 'collector', body: GrafanaWebhook, response: DeliveryReply },
  { method: 'post', path: '/api/v1/alerts', summary: 'Generic alert list', role: 'collector', body: GenericAlertBatch, response: DeliveryReply },
  { method: 'get', path: '/api/v1/alerts', summary: 'Alerts with the CI each bound to and by which rule (or why none); asOf: what was firing then', role: 'viewer', query: AlertListQuery, response: items(AlertRecord) },
  { method: 'get', path: '/api/v1/alerts/bindings', summary: 'The ordered binding rules in force', role: 'viewer', response: BindingConfig },
  { method: 'get', path: '/api/v1/alerts/health', summary: 'Live health: alerting CIs and the dependents they take down or degrade', role: 'viewer', response: HealthSnapshot },
  { method: 'get', path: '/api/v1/situations', summary: 'Situations, open ones by priority, with the noise reduction', role: 'viewer', query: SituationListQuery, response: items(SituationView).extend({ noise: NoiseReport }) },
  { method: 'get', path: '/api/v1/situations/:id', summary: 'One situation: cause, alerts, impacted services, priority, timeline', role: 'viewer', response: SituationView },
  { method: 'post', path: '/api/v1/situations/:id/incident', summary: 'Open the situation\'s incident, linked both ways', role: 'change-manager', body: SituationIncidentInput, status: 201, response: SituationView },
  ];
}
