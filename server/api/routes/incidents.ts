import { RouteTable, type ApiRoutes } from '../route-table.ts';
import { parseBody, parseQuery } from '../validate.ts';
import { IncidentInput, IncidentListItem, IncidentListQuery, IncidentPatch, IncidentView } from '../../model/incidents.ts';
import { NoteInput } from '../../model/timeline.ts';
import { pageOf } from '../../model/paging.ts';
import type { IncidentService } from '../../impact/incident-service.ts';

/** Incidents: viewers read; change managers open them, move them through the workflow and add notes. */
export function incidentRoutes(incidents: IncidentService): ApiRoutes {
  return new RouteTable()
  .route({ method: 'post', path: '/incidents', summary: 'Open an incident on failed CIs; impact and priority are computed', role: 'change-manager', body: IncidentInput, status: 201, response: IncidentView }, async (req, res) => {
    res.status(201).json(await incidents.open(parseBody(IncidentInput, req), req.principal!.name));
  })
  // What-if: impact and priority of an incident on these CIs, recorded nowhere (viewers may ask).
  .route({ method: 'post', path: '/incidents/preview', summary: 'What an incident on these CIs would be: impact and priority, recording nothing', role: 'viewer', body: IncidentInput, response: IncidentView }, async (req, res) => {
    res.json(await incidents.preview(parseBody(IncidentInput, req), req.principal!.name));
  })
  .route({ method: 'get', path: '/incidents', summary: 'Incidents, newest first, with their kept priority; filter by status, priority, CI, impacted service, assignee and start time; cursor paging', role: 'viewer', query: IncidentListQuery, response: pageOf(IncidentListItem) }, async (req, res) => {
    res.json(await incidents.list(parseQuery(IncidentListQuery, req)));
  })
  .route({ method: 'get', path: '/incidents/:id', summary: 'One incident with its live impact and priority, allowed transitions and timeline', role: 'viewer', response: IncidentView }, async (req, res) => {
    res.json(await incidents.get(req.params.id as string));
  })
  .route({ method: 'patch', path: '/incidents/:id', summary: 'Move through the workflow (409 names the allowed statuses), change urgency or assignee, link a change', role: 'change-manager', body: IncidentPatch, response: IncidentView }, async (req, res) => {
    res.json(await incidents.update(req.params.id as string, parseBody(IncidentPatch, req), req.principal!.name));
  })
  .route({ method: 'post', path: '/incidents/:id/notes', summary: 'Add a note to the incident\'s timeline', role: 'change-manager', body: NoteInput, status: 201, response: IncidentView }, async (req, res) => {
    res.status(201).json(await incidents.addNote(req.params.id as string, parseBody(NoteInput, req).text, req.principal!.name));
  });
}
