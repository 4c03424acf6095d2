import { describe, expect, it } from 'vitest';
import { healthCounts, healthOf, healthOverlay, touchesAlerts } from '../../web/lib/health.ts';

describe('live health on the map', () => {
  it('marks alerting CIs by their state and, distinctly, the dependents they take down or degrade', () => {
    const overlay = healthOverlay({
      at: '2026-12-05T08:00:00Z', total: 4, truncated: false, noise: { alerts: 2, situations: 1, reduction: 0.5 },
      alerting: [{ ci: 'db', name: 'orders-db', state: 'down', alerts: 1 }, { ci: 'api', name: 'orders-api', state: 'degraded', alerts: 1 }],
      impacted: [{ ci: 'checkout', state: 'down', via: 0 }, { ci: 'cart', state: 'degraded', via: 1 }, { ci: 'patched', state: 'maintenance', via: 0 }],
    });
    expect(Object.fromEntries(overlay)).toEqual({ db: ['alert-down'], api: ['alert-degraded'], checkout: ['health-down'], cart: ['health-degraded'] });
    expect(healthOverlay(null).size).toBe(0);
  });

  it('says of one CI whether it alerts or suffers from what alerts (and through which alerting CI), and counts both among the CIs shown', () => {
    const snap = {
      at: '2026-12-05T08:00:00Z', total: 2, truncated: false, noise: { alerts: 2, situations: 1, reduction: 0.5 },
      alerting: [{ ci: 'db', name: 'orders-db', state: 'down' as const, alerts: 2 }, { ci: 'ghost', name: null, state: 'down' as const, alerts: 1 }],
      impacted: [{ ci: 'checkout', state: 'degraded' as const, via: 0 }, { ci: 'cart', state: 'down' as const, via: 1 }, { ci: 'patched', state: 'maintenance' as const, via: 0 }],
    };
    expect(healthOf(snap, 'db')).toEqual({ kind: 'alerting', state: 'down', alerts: 2 });
    expect(healthOf(snap, 'checkout')).toEqual({ kind: 'impacted', state: 'degraded', via: { ci: 'db', name: 'orders-db' } });
    expect(healthOf(snap, 'cart')).toEqual({ kind: 'impacted', state: 'down', via: { ci: 'ghost', name: null } });
    expect(healthOf(snap, 'search')).toEqual({ kind: 'quiet', monitored: true, capped: false });
    expect(healthOf({ ...snap, truncated: true }, 'search')).toEqual({ kind: 'quiet', monitored: true, capped: true });
    expect(healthOf(null, 'db')).toBeNull();
    expect(healthCounts(snap, new Set(['db', 'checkout', 'patched', 'search']))).toEqual({ alerting: 1, impacted: 1 });
  });

  it('tells a quiet CI on a monitored estate from one where no alert has ever arrived', () => {
    const none = { at: '2026-12-05T08:00:00Z', total: 0, truncated: false, noise: { alerts: 0, situations: 0, reduction: 0 }, alerting: [], impacted: [] };
    expect(healthOf(none, 'checkout')).toEqual({ kind: 'quiet', monitored: false, capped: false });
  });

  it('refetches the Now page on alert, situation and incident events only', () => {
    expect(touchesAlerts({ changes: [{ kind: 'situation.opened', ref: 's' }] })).toBe(true);
    expect(touchesAlerts({ changes: [{ kind: 'ci.created' }] })).toBe(false);
  });
});
