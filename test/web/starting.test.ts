import { describe, expect, it } from 'vitest';
import { followStart, startingNotice } from '../../web/lib/starting.ts';

describe('what the app says while the server starts', () => {
  it('shows the progress from /healthz, with the total when the server knows it', () => {
    expect(startingNotice({ status: 'starting', phase: 'loading the projection', loadedCis: 120_000, totalCis: 1_000_000 }))
      .toBe('servicegraph is starting — loading 120,000 of 1,000,000 CIs');
    expect(startingNotice({ status: 'starting', phase: 'loading the projection', loadedCis: 50, totalCis: null })).toBe('servicegraph is starting — loading CIs (50 so far)');
    expect(startingNotice({ status: 'starting', phase: 'starting the alert and re-assessment loops', loadedCis: 300, totalCis: 300 }))
      .toBe('servicegraph is starting — starting the alert and re-assessment loops');
  });

  it('says nothing for a server that is up, or down for another reason', () => {
    expect(startingNotice({ ok: true, seq: 3 })).toBeNull();
    expect(startingNotice({ ok: false, reasons: ['the projection is 40 s behind'] })).toBeNull();
    expect(startingNotice(null)).toBeNull();
  });

  it('follows /healthz until the server has started, then clears the notice', async () => {
    const answers = [
      { status: 503, body: { status: 'starting', loadedCis: 10, totalCis: 30 } },
      null, // not answering for a moment
      { status: 503, body: { status: 'starting', loadedCis: 20, totalCis: 30 } },
      { status: 200, body: { ok: true } },
    ];
    const fetcher = (async () => {
      const a = answers.shift();
      if (!a) throw new Error('asked after the start');
      if (a === null) throw new TypeError('fetch failed');
      return new Response(JSON.stringify(a.body), { status: a.status });
    }) as typeof fetch;
    const shown: (string | null)[] = [];
    await followStart((t) => shown.push(t), { fetcher, everyMs: 1 });
    expect(shown).toEqual([
      'servicegraph is starting — loading 10 of 30 CIs', 'servicegraph is not answering — retrying', 'servicegraph is starting — loading 20 of 30 CIs', null,
    ]);
  });
});
