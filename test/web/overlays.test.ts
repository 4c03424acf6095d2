import { describe, expect, it } from 'vitest';
import { blastRadiusOverlay } from '../../web/lib/overlays.ts';

describe("a blast-radius map's colours", () => {
  const states = { db: 'down', api: 'down', web: 'degraded' } as const;

  it("fills a change's blast radius and rings the CIs it touches", () => {
    const o = blastRadiusOverlay({ change: 'chg-1' }, states, ['db']);
    expect(Object.fromEntries(o)).toEqual({ db: ['blast', 'touched'], api: ['blast'], web: ['blast'] });
  });

  it('marks failed CIs as failed and what they hit by its state', () => {
    const o = blastRadiusOverlay({ failed: [{ ci: 'db', state: 'down' }] }, states, ['db']);
    expect(Object.fromEntries(o)).toEqual({ db: ['failed-down'], api: ['impact-down'], web: ['impact-degraded'] });
  });
});
