import { describe, it, expect } from 'vitest';
import type { NextFunction, Request, Response } from 'express';
import { ReadGate } from '../../server/api/read-gate.ts';

const busy = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end) { /* a read's CPU */ } };
const req = {} as Request;
const res = {} as Response;

/** Reads take turns on the event loop (server/api/read-gate.ts): in arrival order, none dropped, other work between slices. */
describe('read gate', () => {
  it('runs every read, in the order they arrived, their promise callbacks included', async () => {
    const gate = new ReadGate(5);
    const ran: number[] = [];
    const done = new Promise<void>((resolve) => {
      for (let i = 0; i < 200; i++) {
        gate.admit(req, res, (async () => {
          ran.push(i);
          await Promise.resolve();
          if (i === 199) resolve();
        }) as NextFunction);
      }
    });
    expect(ran).toEqual([]);
    await done;
    expect(ran).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(gate.waiting).toBe(0);
  });

  it('lets the event loop serve other work between two slices, not only after the last read', async () => {
    const gate = new ReadGate(1);
    const order: string[] = [];
    const finished = new Promise<void>((resolve) => {
      for (let i = 0; i < 20; i++) gate.admit(req, res, (() => { busy(2); order.push(`read ${i}`); if (i === 19) resolve(); }) as NextFunction);
    });
    // A write's next step: ready as the reads queue up (a timer due now, as a body chunk or the writer thread's reply would be).
    setTimeout(() => order.push('write'), 0);
    await finished;
    expect(order.indexOf('write')).toBeGreaterThan(-1);
    expect(order.indexOf('write')).toBeLessThan(5);
  });

  it('goes on with the reads behind one whose start throws, and reports what it threw', async () => {
    const thrown: unknown[] = [];
    const gate = new ReadGate(5, (e) => thrown.push(e));
    const ran: number[] = [];
    const finished = new Promise<void>((resolve) => {
      for (let i = 0; i < 3; i++) {
        gate.admit(req, res, (() => { if (i === 0) throw new Error('boom'); ran.push(i); if (i === 2) resolve(); }) as NextFunction);
      }
    });
    await finished;
    expect(ran).toEqual([1, 2]);
    expect(thrown).toEqual([new Error('boom')]);
    // And the gate still admits later reads.
    await new Promise<void>((resolve) => gate.admit(req, res, (() => resolve()) as NextFunction));
    expect(gate.waiting).toBe(0);
  });

  it('runs reads back to back within a slice', async () => {
    const gate = new ReadGate(1000);
    const order: string[] = [];
    const finished = new Promise<void>((resolve) => {
      for (let i = 0; i < 20; i++) gate.admit(req, res, (() => { order.push(`read ${i}`); if (i === 19) resolve(); }) as NextFunction);
    });
    setTimeout(() => order.push('write'), 0);
    await finished;
    expect(order.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `read ${i}`));
  });
});
