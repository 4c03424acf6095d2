import { describe, expect, it } from 'vitest';
import {
  DAY_MS, daysSince, isActiveChange, isStale, nextWindowEnd, touchesWork, workByCi, workOverlay,
} from '../../web/lib/work.ts';
import { diffElements, toElements } from '../../web/lib/graph/elements.ts';
import { graphStyle, resolveStyle, stateColours } from '../../web/lib/graph/style.ts';
import { applyChangeEvent } from '../../web/lib/graph/live-patch.ts';
import type { ChangeEvent, ChangeRecord, CiRecord, GraphNode, GraphResult, IncidentListItem } from '../../web/lib/types.ts';

const NOW = Date.parse('2025-03-10T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const H = 3_600_000;

function incident(id: string, cis: { ci: string; state: 'down' | 'degraded' }[], extra: Partial<IncidentListItem> = {}): IncidentListItem {
  return {
    id, title: `incident ${id}`, cis, urgency: 2, status: 'open', startedAt: iso(NOW - H), resolvedAt: null, createdAt: iso(NOW - H), updatedAt: iso(NOW - H),
    createdBy: 't', priority: { priority: 'P2', impact: 2, urgency: 2, reason: '' }, impactedServices: 1, downtimeCostPerHour: 0, ...extra,
  };
}
function change(id: string, cis: string[], extra: Partial<ChangeRecord> = {}): ChangeRecord {
  return {
    id, title: `change ${id}`, type: 'normal', window: { start: iso(NOW + H), end: iso(NOW + 3 * H) }, cis, status: 'planned',
    createdAt: iso(NOW - H), updatedAt: iso(NOW - H), createdBy: 't', ...extra,
  };
}
const node = (id: string, extra: Partial<GraphNode> = {}): GraphNode => ({
  id, class: 'service', name: id, environment: 'prod', tier: 2, owner: 'team-a', lifecycle: 'active', layer: 'software', ...extra,
});

describe('which CIs carry an incident or change badge', () => {
  it('marks the CIs an open or investigating incident names, in the state it names them; resolved ones are gone', () => {
    const work = workByCi([
      incident('i1', [{ ci: 'db', state: 'down' }, { ci: 'api', state: 'degraded' }]),
      incident('i2', [{ ci: 'cache', state: 'degraded' }], { status: 'investigating' }),
      incident('i3', [{ ci: 'old', state: 'down' }], { status: 'resolved', resolvedAt: iso(NOW) }),
    ], [], NOW);
    expect([...work.keys()].sort()).toEqual(['api', 'cache', 'db']);
    expect(work.get('db')!.worst).toBe('down');
    expect(work.get('api')!.worst).toBe('degraded');
    expect(work.get('cache')!.incidents.map((i) => [i.id, i.status])).toEqual([['i2', 'investigating']]);
    expect(workOverlay(work)).toEqual(new Map([['db', ['incident-down']], ['api', ['incident-degraded']], ['cache', ['incident-degraded']]]));
  });

  it('takes down over degraded across incidents on one CI and lists them most urgent first', () => {
    const work = workByCi([
      incident('i1', [{ ci: 'db', state: 'degraded' }], { priority: { priority: 'P3', impact: 3, urgency: 3, reason: '' } }),
      incident('i2', [{ ci: 'db', state: 'down' }], { priority: { priority: 'P1', impact: 1, urgency: 1, reason: '' } }),
      incident('i3', [{ ci: 'db', state: 'degraded' }], { priority: { priority: 'P2', impact: 2, urgency: 2, reason: '' } }),
    ], [], NOW);
    const w = work.get('db')!;
    expect(w.worst).toBe('down');
    expect(w.incidents.map((i) => `${i.priority} ${i.title}`)).toEqual(['P1 incident i2', 'P2 incident i3', 'P3 incident i1']);
    expect(w.incidents).toHaveLength(3);
  });

  it('marks CIs a planned, approved or in-progress change touches until its window ends', () => {
    const changes = [
      change('c1', ['db', 'api']),
      change('c2', ['db'], { status: 'in-progress', window: { start: iso(NOW - H), end: iso(NOW + H) } }),
      change('c3', ['gone'], { status: 'approved', window: { start: iso(NOW - 3 * H), end: iso(NOW - H) } }),
      change('c4', ['done'], { status: 'successful' }),
      change('c5', ['cancelled'], { status: 'cancelled' }),
      change('c6', ['failed'], { status: 'failed' }),
    ];
    const work = workByCi([], changes, NOW);
    expect([...work.keys()].sort()).toEqual(['api', 'db']);
    // The one under way (starting first) is listed first.
    expect(work.get('db')!.changes.map((c) => c.id)).toEqual(['c2', 'c1']);
    expect(work.get('db')!.worst).toBeNull();
    expect(workOverlay(work).get('db')).toEqual(['change-open']);
    // An hour later c2's window is over and its badge with it.
    expect(workByCi([], changes, NOW + H + 1).get('db')!.changes.map((c) => c.id)).toEqual(['c1']);
    expect(isActiveChange(changes[1], NOW + H)).toBe(false);
    expect(nextWindowEnd(changes, NOW)).toBe(NOW + H);
    expect(nextWindowEnd(changes, NOW + 3 * H)).toBeNull();
  });

  it('gives a CI with both an incident ring and a change ring, and leaves its label its name', () => {
    const work = workByCi([incident('i1', [{ ci: 'db', state: 'down' }])], [change('c1', ['db', 'db'])], NOW);
    expect(workOverlay(work).get('db')).toEqual(['incident-down', 'change-open']);
    expect([work.get('db')!.incidents.length, work.get('db')!.changes.length]).toEqual([1, 1]);
    const graph: GraphResult = { nodes: [node('db'), node('api')], edges: [], truncated: false };
    const els = new Map(toElements(graph, { overlay: workOverlay(work) }).flatMap((e) => (e.group === 'nodes' ? [[e.data.id, e] as const] : [])));
    // A label that changes live is drawn clipped by Cytoscape's label cache: the rings and pills carry the mark.
    expect(els.get('db')!.data.label).toBe('db');
    expect(els.get('db')!.classes.split(' ')).toEqual(expect.arrayContaining(['incident-down', 'change-open']));
    expect(els.get('api')!.data.label).toBe('api');
  });

  it('refetches on incident and change events only', () => {
    const ev = (kind: ChangeEvent['changes'][number]['kind']) => ({ changes: [{ kind }] });
    for (const k of ['incident.opened', 'incident.updated', 'change.created', 'change.updated'] as const) expect(touchesWork(ev(k))).toBe(true);
    for (const k of ['ci.created', 'relation.updated', 'run.completed', 'window.created'] as const) expect(touchesWork(ev(k))).toBe(false);
  });
});

describe('how the badges look', () => {
  const rules = graphStyle({ large: false });
  const large = graphStyle({ large: true });
  const look = (r: typeof rules, cls: string[], p: string) => resolveStyle(r, 'node', ['layer-software', 'cls-service', ...cls], p);

  it('rings an incident CI in its state colour and a changed CI dashed, outside the border other overlays use', () => {
    expect(look(rules, ['incident-down'], 'outline-color')).toBe(stateColours.down);
    expect(look(rules, ['incident-degraded'], 'outline-color')).toBe(stateColours.degraded);
    expect(look(rules, ['change-open'], 'outline-color')).toBe(stateColours.change);
    expect(look(rules, ['change-open'], 'outline-style')).toBe('dashed');
    expect(look(rules, ['change-open', 'incident-down'], 'outline-color')).toBe(stateColours.down);
    expect(look(rules, [], 'outline-width')).toBeUndefined();
    // An impact overlay's border and fill stay the impact's.
    expect(look(rules, ['failed-down', 'incident-down'], 'border-color')).toBe(stateColours.down);
    expect(look(rules, ['failed-down', 'incident-down'], 'background-color')).toBe(stateColours.failed);
  });

  it('keeps the label (in its badge pill) of CIs with work on them on a large map, where others lose theirs', () => {
    expect(look(large, [], 'label')).toBe('');
    for (const c of ['incident-down', 'incident-degraded', 'change-open']) expect(look(large, [c], 'label')).toBe('data(label)');
  });

  it('greys a stale CI over its layer colour, under an impact colour', () => {
    expect(look(rules, ['stale'], 'background-color')).toBe(stateColours.stale);
    expect(look(rules, ['stale', 'impact-down'], 'background-color')).toBe(stateColours.down);
  });
});

describe('staleness', () => {
  it('is N days or more without a sighting; no sighting to judge by is not stale', () => {
    expect(isStale(iso(NOW - 7 * DAY_MS), NOW, 7)).toBe(true);
    expect(isStale(iso(NOW - 7 * DAY_MS + 1), NOW, 7)).toBe(false);
    expect(isStale(iso(NOW - 9 * DAY_MS), NOW, 10)).toBe(false);
    expect(isStale(null, NOW, 7)).toBe(false);
    expect(isStale(undefined, NOW, 7)).toBe(false);
    expect(daysSince(iso(NOW - 9 * DAY_MS - H), NOW)).toBe(9);
  });

  it('marks map nodes stale before the cutoff, and patches only the nodes whose staleness changes with N', () => {
    const graph: GraphResult = {
      nodes: [node('fresh', { lastSeen: iso(NOW - H) }), node('old', { lastSeen: iso(NOW - 9 * DAY_MS) }), node('never', { lastSeen: null }), node('past')],
      edges: [], truncated: false,
    };
    const stale = (days: number) => toElements(graph, { staleBefore: NOW - days * DAY_MS });
    const at7 = stale(7);
    const marked = (els: typeof at7) => els.filter((e) => e.classes.split(' ').includes('stale')).map((e) => e.data.id);
    expect(marked(at7)).toEqual(['old']);
    expect(marked(stale(10))).toEqual([]);
    expect(marked(toElements(graph))).toEqual([]);
    // Raising N to 10 days: one class change to apply, nothing to add or remove.
    const d = diffElements(new Map(at7.map((e) => [e.data.id, e])), stale(10));
    expect(d.add).toEqual([]);
    expect(d.remove).toEqual([]);
    expect(d.update.map((e) => e.data.id)).toEqual(['old']);
  });

  it('keeps a node\'s sighting through a live update, and takes the event time when a source asserted it', () => {
    const graph: GraphResult = { nodes: [node('a', { lastSeen: iso(NOW - 9 * DAY_MS) }), node('b', { lastSeen: iso(NOW - 9 * DAY_MS) })], edges: [], truncated: false };
    const ci = (id: string): CiRecord => ({ ...node(id), identifiers: {}, attributes: {}, version: 2, validFrom: iso(NOW), validTo: null } as unknown as CiRecord);
    const bySource = applyChangeEvent(graph, { seq: 1, at: iso(NOW), source: 'k8s', changes: [{ kind: 'ci.updated', ci: ci('a') }] });
    expect(bySource.graph.nodes.find((n) => n.id === 'a')!.lastSeen).toBe(iso(NOW));
    const byHand = applyChangeEvent(graph, { seq: 2, at: iso(NOW), source: null, changes: [{ kind: 'ci.updated', ci: ci('b') }] });
    expect(byHand.graph.nodes.find((n) => n.id === 'b')!.lastSeen).toBe(iso(NOW - 9 * DAY_MS));
  });
});
