import { describe, expect, it } from 'vitest';
import { findCollisions } from '../../../server/domain/change-risk/collisions.ts';
import { blackoutHits, ciIdsInMaintenance, insideMaintenanceWindow } from '../../../server/domain/change-risk/windows.ts';
import type { ChangeRecord, WindowRecord } from '../../../server/model/changes.ts';

const change = (id: string, start: string, end: string, cis: string[], status: ChangeRecord['status'] = 'planned'): ChangeRecord => ({
  id, title: id, type: 'normal', window: { start: `2025-03-01T${start}:00.000Z`, end: `2025-03-01T${end}:00.000Z` }, cis, status,
  createdAt: '2025-02-01T00:00:00.000Z', updatedAt: '2025-02-01T00:00:00.000Z', createdBy: 'test',
});
const windowOf = (id: string, kind: WindowRecord['kind'], start: string, end: string, services: string[] = []): WindowRecord => ({
  id, title: id, kind, start: `2025-03-01T${start}:00.000Z`, end: `2025-03-01T${end}:00.000Z`, services, createdAt: '2025-02-01T00:00:00.000Z', createdBy: 'test',
});

describe('change collisions', () => {
  const mine = { change: change('a', '10:00', '12:00', ['db-1']), criticalServices: new Set(['checkout']) };

  it('overlapping windows with a shared tier 1-2 service collide', () => {
    const other = { change: change('b', '11:00', '13:00', ['cache-9']), criticalServices: new Set(['checkout', 'search']) };
    expect(findCollisions(mine, [other])).toEqual([
      { change: { id: 'b', title: 'b', status: 'planned', window: other.change.window, createdBy: 'test' }, sharedServices: ['checkout'], sharedCis: [] },
    ]);
  });

  it('overlapping windows touching the same CI collide even with no shared service', () => {
    const other = { change: change('c', '09:00', '10:30', ['db-1']), criticalServices: new Set<string>() };
    expect(findCollisions(mine, [other])[0]).toMatchObject({ sharedServices: [], sharedCis: ['db-1'] });
  });

  it('back-to-back or disjoint windows do not collide, nor do overlapping ones with nothing in common', () => {
    const after = { change: change('d', '12:00', '14:00', ['db-1']), criticalServices: new Set(['checkout']) };
    const unrelated = { change: change('e', '10:00', '12:00', ['x']), criticalServices: new Set(['search']) };
    expect(findCollisions(mine, [after, unrelated])).toEqual([]);
  });
});

describe('windows', () => {
  it('approved or running changes and per-service maintenance windows put CIs in maintenance; planned changes and global windows do not', () => {
    const at = '2025-03-01T11:00:00.000Z';
    const ids = ciIdsInMaintenance(at, [change('a', '10:00', '12:00', ['db-1'], 'approved'), change('b', '10:00', '12:00', ['db-2'])],
      [windowOf('w', 'maintenance', '10:30', '11:30', ['svc-1']), windowOf('g', 'maintenance', '00:00', '23:00')]);
    expect([...ids].sort()).toEqual(['db-1', 'svc-1']);
  });

  it('a change is inside maintenance when one window covers its whole span and every touched CI', () => {
    const c = change('a', '10:00', '12:00', ['db-1']);
    expect(insideMaintenanceWindow(c, [windowOf('g', 'maintenance', '09:00', '13:00')])).toBe(true);
    expect(insideMaintenanceWindow(c, [windowOf('short', 'maintenance', '10:30', '13:00')])).toBe(false);
    expect(insideMaintenanceWindow(c, [windowOf('other', 'maintenance', '09:00', '13:00', ['db-2'])])).toBe(false);
  });

  it('a blackout is hit when global, or when it covers a touched or impacted service', () => {
    const c = change('a', '10:00', '12:00', ['db-1']);
    const hits = blackoutHits(c, [windowOf('g', 'blackout', '11:00', '15:00'), windowOf('s', 'blackout', '11:00', '15:00', ['checkout', 'x']), windowOf('later', 'blackout', '13:00', '15:00')], new Set(['db-1', 'checkout']));
    expect(hits.map((h) => [h.window.id, h.services])).toEqual([['g', []], ['s', ['checkout']]]);
  });
});
