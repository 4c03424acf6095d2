import { describe, it, expect } from 'vitest';
import { ServerTiming, parseServerTiming } from '../../server/ops/server-timing.ts';

/** A request's stages as a Server-Timing header (W3C): each the ms since the one before, then the total. */
describe('server timing', () => {
  it('lists the stages in order, a stage measured elsewhere as given and what is left of it apart, then the total', () => {
    const t = new ServerTiming(performance.now() - 10);
    t.mark('auth');
    t.markWithin('handover', { queue: 0.5, write: 3 });
    const header = t.header();
    expect(header).toMatch(/^auth;dur=\d+\.\d\d, queue;dur=0\.50, write;dur=3\.00, handover;dur=\d+\.\d\d, total;dur=\d+\.\d\d$/);
    const stages = parseServerTiming(header);
    expect([...stages.keys()]).toEqual(['auth', 'queue', 'write', 'handover', 'total']);
    expect(stages.get('auth')).toBeGreaterThanOrEqual(10);
    // The parts measured elsewhere never make the rest negative.
    expect(stages.get('handover')).toBeGreaterThanOrEqual(0);
    expect(stages.get('total')).toBeGreaterThanOrEqual(stages.get('auth')!);
  });

  it('reads headers as servers write them: descriptions, spacing, entries without a duration', () => {
    const stages = parseServerTiming('db;desc="Database";dur=53.2, cache;desc=hit, app ; dur=1');
    expect(Object.fromEntries(stages)).toEqual({ db: 53.2, app: 1 });
    expect(parseServerTiming(null).size).toBe(0);
  });
});
