import { describe, expect, it } from 'vitest';
import { deliveredFields, expireIfStale, judgeDelivery } from '../../../server/domain/alerts/lifecycle.ts';
import { GenericAlert, type AlertRecord } from '../../../server/model/alerts.ts';

const alert = (over: Partial<Record<string, unknown>> = {}) => GenericAlert.parse({
  source: 'alertmanager', fingerprint: 'f1', status: 'firing', labels: { alertname: 'KubePodCrashLooping', severity: 'warning', namespace: 'shop', pod: 'p' },
  annotations: {}, startsAt: '2026-12-05T08:00:00.000000001Z', endsAt: '0001-01-01T00:00:00Z', ...over,
});
const record = (over: Partial<Record<string, unknown>> = {}): AlertRecord => ({
  id: 'alr-1', source: 'alertmanager', fingerprint: 'f1', health: 'degraded',
  binding: { ci: null, name: null, class: null, rule: null, reason: '' }, expected: null, situation: null,
  firstReceivedAt: '2026-12-05T08:00:10Z', lastReceivedAt: '2026-12-05T08:00:10Z', updatedAt: '2026-12-05T08:00:10Z',
  ...deliveredFields(alert(over)),
});

describe('an alert delivery against the record kept for it', () => {
  it('parses Go times: nanoseconds and zones are normalised, the zero time means no end', () => {
    const f = deliveredFields(alert({ startsAt: '2026-12-05T09:00:00.123456789+01:00' }));
    expect(f).toMatchObject({ startsAt: '2026-12-05T08:00:00.123Z', endsAt: null, severity: 'warning', name: 'KubePodCrashLooping' });
  });

  it('the same facts again change nothing (Alertmanager resends the whole group)', () => {
    expect(judgeDelivery(record(), deliveredFields(alert()))).toBe('refreshed');
    expect(judgeDelivery(undefined, deliveredFields(alert()))).toBe('new');
  });

  it('resolved closes; a late firing copy of the same episode is stale', () => {
    const resolved = deliveredFields(alert({ status: 'resolved', endsAt: '2026-12-05T08:05:00Z' }));
    expect(judgeDelivery(record(), resolved)).toBe('changed');
    expect(judgeDelivery(record({ status: 'resolved', endsAt: '2026-12-05T08:05:00Z' }), deliveredFields(alert()))).toBe('stale');
    expect(judgeDelivery(record({ status: 'resolved', endsAt: '2026-12-05T08:05:00Z' }), resolved)).toBe('unchanged');
  });

  it('an older episode arriving late is stale; a newer one wins', () => {
    expect(judgeDelivery(record(), deliveredFields(alert({ startsAt: '2026-12-05T07:00:00Z', status: 'resolved', endsAt: '2026-12-05T07:10:00Z' })))).toBe('stale');
    expect(judgeDelivery(record({ status: 'resolved', endsAt: '2026-12-05T08:05:00Z' }), deliveredFields(alert({ startsAt: '2026-12-05T08:06:00Z' })))).toBe('changed');
  });

  it('a firing alert not re-sent past its endsAt, or past the timeout without one, expires', () => {
    const hour = 3_600_000;
    const withEnd = record({ endsAt: '2026-12-05T08:04:00Z' });
    expect(expireIfStale(withEnd, Date.parse('2026-12-05T08:03:59Z'), hour)).toBeNull();
    expect(expireIfStale(withEnd, Date.parse('2026-12-05T08:04:00Z'), hour)).toMatchObject({ status: 'expired', endsAt: '2026-12-05T08:04:00.000Z' });
    const noEnd = record();
    expect(expireIfStale(noEnd, Date.parse('2026-12-05T08:30:00Z'), hour)).toBeNull();
    expect(expireIfStale(noEnd, Date.parse('2026-12-05T09:00:10Z'), hour)).toMatchObject({ status: 'expired', endsAt: '2026-12-05T09:00:10.000Z' });
  });
});
