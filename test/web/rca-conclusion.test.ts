import { describe, expect, it } from 'vitest';
import { conclusionNote, linkedParts } from '../../web/lib/rca-conclusion.ts';

const analysis = '/root-cause?incidents=inc-a%2Cinc-b&candidate=ci-db1';

describe('the conclusion noted on each incident', () => {
  it('names the cause, what it explains, what changed there and when, and the analysis to open again', () => {
    expect(conclusionNote({
      candidate: { name: 'accounts-3-db', kind: 'Database' }, explains: 5, of: 5, analysis,
      changes: [{ summary: 'new version 2: max_connections null → "50"', when: '4 min before the first incident' }],
    })).toBe([
      'Probable root cause: accounts-3-db (Database), explains 5 of the 5 incidents analysed together.',
      'Changed on it just before: new version 2: max_connections null → "50" (4 min before the first incident).',
      `Analysis: ${analysis}`,
    ].join('\n'));
  });

  it('says that nothing changed there, and names three changes at the most', () => {
    const base = { candidate: { name: 'auth', kind: 'Service' }, explains: 2, of: 3, analysis };
    expect(conclusionNote({ ...base, changes: [] })).toContain('\nNothing changed on it in the period looked at.\n');
    const five = Array.from({ length: 5 }, (_, i) => ({ summary: `new version ${i + 2}`, when: `${i + 1} h before the first incident` }));
    expect(conclusionNote({ ...base, changes: five })).toContain('new version 4 (3 h before the first incident); 2 more.');
  });
});

describe("a note's links", () => {
  it('links the app paths in a note and keeps the rest as text', () => {
    expect(linkedParts(`Probable root cause: db.\nAnalysis: ${analysis}`)).toEqual([
      { text: 'Probable root cause: db.\nAnalysis: ' }, { text: analysis, href: analysis },
    ]);
    expect(linkedParts('see /incidents/inc-a and /changes/chg-1.')).toEqual([
      { text: 'see ' }, { text: '/incidents/inc-a', href: '/incidents/inc-a' }, { text: ' and ' }, { text: '/changes/chg-1', href: '/changes/chg-1' }, { text: '.' },
    ]);
  });

  it('links nothing of another site or an unknown path', () => {
    for (const text of ['https://evil.example/root-cause?x=1', 'a/incidents/b', '//evil.example/incidents', '/admin/incidents', 'plain words']) {
      expect(linkedParts(text).filter((p) => p.href)).toEqual([]);
    }
  });
});
