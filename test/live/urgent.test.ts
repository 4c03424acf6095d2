import { afterEach, describe, expect, it } from 'vitest';
import { addUrgentSource, MIN_TURN_MS, turnOver, urgent } from '../../server/live/urgent.ts';
import { inTurns, nextTurn, stepsInTurns } from '../../server/live/turns.ts';

const busy = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end) { /* a unit of work's CPU */ } };
const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Work done in turns ends its turn early while a write waits on this event loop (server/live/urgent.ts). */
describe('urgent: a write waiting on the loop', () => {
  const removers: (() => void)[] = [];
  afterEach(() => { for (const r of removers.splice(0)) r(); });

  it('is urgent while a source says a write waits, and not once it no longer does', () => {
    let waiting = false;
    removers.push(addUrgentSource(() => waiting));
    expect(urgent()).toBe(false);
    waiting = true;
    expect(urgent()).toBe(true);
    waiting = false;
    expect(urgent()).toBe(false);
  });

  it('a removed source is asked no more', () => {
    const remove = addUrgentSource(() => true);
    expect(urgent()).toBe(true);
    remove();
    expect(urgent()).toBe(false);
  });

  it('ends a turn at its budget, or early once it did its least while a write waits', () => {
    const t0 = 1_000;
    expect(turnOver(t0, t0 + 19, 20)).toBe(false);
    expect(turnOver(t0, t0 + 20, 20)).toBe(true);
    removers.push(addUrgentSource(() => true));
    // A signal that stays set cannot stall the work: a turn still does MIN_TURN_MS first.
    expect(turnOver(t0, t0 + MIN_TURN_MS / 2, 20)).toBe(false);
    expect(turnOver(t0, t0 + MIN_TURN_MS, 20)).toBe(true);
  });

  it('inTurns and stepsInTurns end their turn early while a write waits, and still do all the work', async () => {
    const items = Array.from({ length: 4_000 }, (_, i) => i);
    // 4,000 items of ~20 µs: 80 ms, one turn at a 10 s budget.
    const alone: number[] = [];
    expect(inTurns(items, (i) => { busy(0.02); alone.push(i); }, 10_000)).toBeUndefined();
    expect(alone).toEqual(items);

    removers.push(addUrgentSource(() => true));
    const seen: number[] = [];
    let between = 0, done = false;
    const other = () => { if (done) return; between++; setImmediate(other); };
    setImmediate(other);
    const running = inTurns(items, (i) => { busy(0.02); seen.push(i); }, 10_000);
    expect(running).toBeInstanceOf(Promise);
    await running;
    expect(seen).toEqual(items);
    expect(between).toBeGreaterThan(2);

    function* steps() { for (let i = 0; i < 4_000; i++) { busy(0.02); yield; } }
    const before = between;
    const stepping = stepsInTurns(steps(), 10_000);
    expect(stepping).toBeInstanceOf(Promise);
    await stepping;
    expect(between - before).toBeGreaterThan(2);
    done = true;
    await nextTurn();
  });
});
