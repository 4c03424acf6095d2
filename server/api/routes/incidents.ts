import { Router } from 'express';
import { requireRole } from '../auth.ts';
import { parseBody, parseQuery } from '../validate.ts';
import { IncidentInput, IncidentListQuery, IncidentPatch } from '../../model/incidents.ts';
import { NoteInput } from '../../model/timeline.ts';
import type { IncidentService } from '../../impact/incident-service.ts';

/** Incidents: viewers read; change managers open them, move them through the workflow and add notes. */
export function incidentRoutes(incidents: IncidentService): Router {
  const r = Router();
  r.post('/incidents', requireRole('change-manager'), async (req, res) => {
    res.status(201).json(await incidents.open(parseBody(IncidentInput, req), req.principal!.name));
  });
  // What-if: impact and priority of an incident on these CIs, recorded nowhere (viewers may ask).
  r.post('/incidents/preview', requireRole('viewer'), async (req, res) => {
    res.json(await incidents.preview(parseBody(IncidentInput, req), req.principal!.name));
  });
  r.get('/incidents', requireRole('viewer'), async (req, res) => {
    res.json(await incidents.list(parseQuery(IncidentListQuery, req)));
  });
  r.get('/incidents/:id', requireRole('viewer'), async (req, res) => {
    res.json(await incidents.get(req.params.id as string));
  });
  r.patch('/incidents/:id', requireRole('change-manager'), async (req, res) => {
    res.json(await incidents.update(req.params.id as string, parseBody(IncidentPatch, req), req.principal!.name));
  });
  r.post('/incidents/:id/notes', requireRole('change-manager'), async (req, res) => {
    res.status(201).json(await incidents.addNote(req.params.id as string, parseBody(NoteInput, req).text, req.principal!.name));
  });
  return r;
}
