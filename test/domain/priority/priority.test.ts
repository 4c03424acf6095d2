import { describe, expect, it } from 'vitest';
import { defaultPriorityConfig, priorityOf } from '../../../server/domain/priority/priority.ts';
import { loadConfig } from '../../../server/config.ts';

describe('incident priority from impact × urgency', () => {
  it('a tier-1 CI down with high urgency is P1, with low urgency P2', () => {
    expect(priorityOf({ 1: { down: 1, degraded: 0 } }, 1)).toMatchObject({ priority: 'P1', impact: 1 });
    expect(priorityOf({ 1: { down: 1, degraded: 0 } }, 3)).toMatchObject({ priority: 'P2', impact: 1 });
  });

  it('the worst hit decides: a tier-2 outage outranks a tier-1 degradation only when the matrix says so', () => {
    const r = priorityOf({ 1: { down: 0, degraded: 2 }, 2: { down: 3, degraded: 0 } }, 2);
    expect(r).toMatchObject({ impact: 2, priority: 'P2' });
    expect(r.reason).toBe('2 tier-1 CIs degraded → impact 2; urgency 2 → P2');
  });

  it('nothing tiered hit is the lowest impact', () => {
    expect(priorityOf({}, 1)).toMatchObject({ impact: 4, priority: 'P3', reason: 'no CI with a tier is hit → impact 4; urgency 1 → P3' });
  });

  it('names what was hit even when it weighs no more than nothing tiered', () => {
    expect(priorityOf({ 3: { down: 0, degraded: 3 } }, 2)).toMatchObject({ impact: 4, priority: 'P4', reason: '3 tier-3 CIs degraded → impact 4; urgency 2 → P4' });
    expect(priorityOf({ 3: { down: 0, degraded: 3 }, 4: { down: 1, degraded: 0 } }, 2).reason).toBe('3 tier-3 CIs degraded → impact 4; urgency 2 → P4');
  });

  it('the matrix is configurable as a whole from SERVICEGRAPH_PRIORITY, and a broken one is refused', () => {
    const strict = { ...defaultPriorityConfig, matrix: [['P1', 'P1', 'P1'], ['P1', 'P1', 'P2'], ['P2', 'P2', 'P3'], ['P3', 'P3', 'P4']] };
    const config = loadConfig({ SERVICEGRAPH_PRIORITY: JSON.stringify(strict) }).priority;
    expect(priorityOf({ 1: { down: 1, degraded: 0 } }, 3, config).priority).toBe('P1');
    expect(() => loadConfig({ SERVICEGRAPH_PRIORITY: JSON.stringify({ ...strict, matrix: [['P9']] }) })).toThrow(/^SERVICEGRAPH_PRIORITY=.*matrix/);
  });
});
