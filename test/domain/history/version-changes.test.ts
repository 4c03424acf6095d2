import { describe, expect, it } from 'vitest';
import { versionChanges } from '../../../server/domain/history/version-changes.ts';
import type { CiVersion } from '../../../server/model/records.ts';

const data = (attributes: Record<string, unknown>, extra: object = {}) =>
  ({ class: 'database', name: 'payments-db', environment: 'production', tier: 2, owner: 'commerce', lifecycle: 'active', attributes, identifiers: {}, ...extra }) as CiVersion['data'];
const v = (version: number, validFrom: string, d: CiVersion['data']): CiVersion => ({ version, validFrom, validTo: null, data: d });
const ms = (t: string) => Date.parse(t);

describe("what a CI's versions changed, for people", () => {
  const history = [
    v(1, '2026-12-05T08:00:00.000Z', data({ engine: 'postgres' })),
    v(2, '2026-12-05T09:00:00.000Z', data({ engine: 'postgres', version: '15.4' })),
    v(3, '2026-12-05T10:00:00.000Z', data({ engine: 'postgres', version: '15.5' }, { owner: 'payments' })),
  ];

  it('tells a CI that appeared and was then edited inside the window, step by step, attributes by name', () => {
    expect(versionChanges(history, ms('2026-12-05T07:00:00Z'), ms('2026-12-05T11:00:00Z'))).toEqual([
      { at: '2026-12-05T08:00:00.000Z', summary: 'appeared' },
      { at: '2026-12-05T09:00:00.000Z', summary: 'new version 2: version null → "15.4"' },
      { at: '2026-12-05T10:00:00.000Z', summary: 'new version 3: owner, version "15.4" → "15.5"' },
    ]);
  });

  it('leaves out versions that began outside the window, in any order given', () => {
    expect(versionChanges([...history].reverse(), ms('2026-12-05T08:30:00Z'), ms('2026-12-05T09:30:00Z')))
      .toEqual([{ at: '2026-12-05T09:00:00.000Z', summary: 'new version 2: version null → "15.4"' }]);
    expect(versionChanges([], 0, Date.now())).toEqual([]);
  });

  it("leaves out an appearance with the estate's discovery, keeping the edits", () => {
    expect(versionChanges(history, ms('2026-12-05T07:00:00Z'), ms('2026-12-05T09:30:00Z'), ms('2026-12-05T08:00:00Z'))).toEqual([
      { at: '2026-12-05T09:00:00.000Z', summary: 'new version 2: version null → "15.4"' },
    ]);
  });
});
