import { describe, it, expect } from 'vitest';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { createServer } from 'node:http';
import { ReadGate } from '../../server/api/read-gate.ts';
import { addUrgentSource } from '../../server/live/urgent.ts';
import { createApp } from '../../server/api/app.ts';
import { RouteTable } from '../../server/api/route-table.ts';
import { ingestRoutes } from '../../server/api/routes/ingest.ts';
import type { Written } from '../../server/ingest/batch-writer.ts';
import { parseServerTiming } from '../../server/ops/server-timing.ts';

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
      for (let i = 0; i < 20; i++) {
        gate.admit(req, res, (() => {
          order.push(`read ${i}`);
          // Other work, due from the first read on (queued before the slice began, a loaded machine's loop could run
          // it first, before any read: its timers come before the slice's turn).
          if (i === 0) setTimeout(() => order.push('write'), 0);
          if (i === 19) resolve();
        }) as NextFunction);
      }
    });
    await finished;
    expect(order.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `read ${i}`));
  });

  it('ends a slice early while a write waits on the loop (urgent.ts): its step runs after the read under way, not after the slice', async () => {
    const gate = new ReadGate(10_000);
    let waiting = false;
    const remove = addUrgentSource(() => waiting);
    try {
      const order: string[] = [];
      const finished = new Promise<void>((resolve) => {
        for (let i = 0; i < 20; i++) {
          gate.admit(req, res, (() => {
            busy(2);
            order.push(`read ${i}`);
            // The writer thread's reply is posted while read 0 runs: the loop has it to take.
            if (i === 0) { waiting = true; setTimeout(() => { waiting = false; order.push('write'); }, 0); }
            if (i === 19) resolve();
          }) as NextFunction);
        }
      });
      await finished;
      expect(order.indexOf('write')).toBeGreaterThan(0);
      expect(order.indexOf('write')).toBeLessThan(3);
    } finally {
      remove();
    }
  });

});

/**
 * Writes first (SERVICEGRAPH_WRITE_FIRST_MS): while a write is in flight no new read starts, so the event loop is
 * free for the write's steps; bounded per write, and the reads waiting then get as long as the hold lasted.
 */
describe('read gate: writes first', () => {
  const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** Queues `n` reads of `cpuMs` each; `ran` lists them as they run. */
  const queueReads = (gate: ReadGate, n: number, cpuMs = 0) => {
    const ran: number[] = [];
    const all = new Promise<void>((resolve) => {
      for (let i = 0; i < n; i++) gate.admit(req, res, (() => { busy(cpuMs); ran.push(i); if (i === n - 1) resolve(); }) as NextFunction);
    });
    return { ran, all };
  };

  it('starts no read while a write holds the gate, and every waiting read once it is released', async () => {
    const gate = new ReadGate(5, { writeFirstMs: 10_000 });
    const release = gate.hold();
    expect(gate.held).toBe(true);
    const { ran, all } = queueReads(gate, 20);
    await later(30);
    expect(ran).toEqual([]);
    expect(gate.waiting).toBe(20);
    release();
    release(); // twice is once
    await all;
    expect(ran).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(gate.held).toBe(false);
  });

  it('holds at most writeFirstMs: a write that never answers does not stop reads for longer', async () => {
    const gate = new ReadGate(5, { writeFirstMs: 40 });
    gate.hold(); // never released
    const { ran, all } = queueReads(gate, 5);
    await later(10);
    expect(ran).toEqual([]);
    await all;
    expect(gate.held).toBe(false);
    // The same write does not hold again, and its reads went on.
    expect(ran).toHaveLength(5);
  });

  it('a write arriving during a hold shares it: the hold still ends at its bound', async () => {
    const gate = new ReadGate(5, { writeFirstMs: 60 });
    const t0 = performance.now();
    gate.hold();
    await later(40);
    gate.hold(); // joins; both never released
    const { all } = queueReads(gate, 1);
    await all;
    // Ended by the first write's bound (60 ms after it), not 60 ms after the second.
    expect(performance.now() - t0).toBeLessThan(95);
  });

  it('after a hold, reads waiting get as long as it lasted before the next write may hold them', async () => {
    const gate = new ReadGate(2, { writeFirstMs: 10_000 });
    const heldAt = performance.now();
    const first = gate.hold();
    // 100 reads of 1 ms: more than the first hold's length.
    const { ran, all } = queueReads(gate, 100, 1);
    await later(20);
    first();
    const releasedAt = performance.now();
    // The next batch arrives at once (a collector sending back to back): it waits for the reads' share.
    const second = gate.hold();
    expect(gate.held).toBe(false);
    await new Promise<void>((resolve) => { const poll = () => (gate.held ? resolve() : setImmediate(poll)); poll(); });
    const between = ran.length;
    // Reads ran in between, for at least as long as the first hold lasted (the gate's clock is the wall clock).
    expect(between).toBeGreaterThan(0);
    expect(between).toBeLessThan(100);
    expect(performance.now() - releasedAt).toBeGreaterThanOrEqual(releasedAt - heldAt - 1);
    // The second write holds them now, and releases them.
    await later(15);
    expect(ran.length).toBe(between);
    second();
    await all;
    expect(ran).toHaveLength(100);
  });

  it('never starves reads: a collector sending writes back to back leaves them about half the loop', async () => {
    const gate = new ReadGate(2, { writeFirstMs: 10_000 });
    const { ran, all } = queueReads(gate, 200, 1);
    let writes = 0;
    const writer = (async () => {
      // Each write is in flight 10 ms; the next follows its reply at once.
      while (ran.length < 200) { const release = gate.hold(); await later(10); release(); writes++; }
    })();
    await all;
    await writer;
    expect(ran).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // The reads' 200 ms of work went on between writes, which kept being answered too.
    expect(writes).toBeGreaterThan(3);
  });

  it('does nothing when writes first is off (writeFirstMs 0)', async () => {
    const gate = new ReadGate(5);
    const release = gate.hold();
    expect(gate.held).toBe(false);
    const { ran, all } = queueReads(gate, 3);
    await all;
    expect(ran).toEqual([0, 1, 2]);
    release();
  });
});

/** Through the app: an ingest batch in flight holds the reads that arrive after it until its reply went out. */
describe('writes first through the ingest route', () => {
  it('answers a read sent during a batch after the batch, and times the batch in Server-Timing', async () => {
    let answer: (w: Written) => void = () => {};
    let called: () => void = () => {};
    const inFlight = new Promise<void>((r) => { called = r; });
    const ingest = () => { called(); return new Promise<Written>((r) => { answer = r; }); };
    const reads = new RouteTable().route({ method: 'get', path: '/thing', summary: 'a read', role: 'viewer' }, (_req, res) => { res.json({ read: true }); });
    const app = createApp({
      bodyBytes: 1 << 20, health: () => ({ status: 200, body: {} }), root: [], api: [ingestRoutes({ ingest }), reads],
      authenticate: (req, _res, next) => { req.principal = { id: 't', role: 'admin' } as never; next(); },
      readGate: new ReadGate(5, { writeFirstMs: 10_000 }),
    });
    app.use(express.json());
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v1`;
    try {
      const order: string[] = [];
      // Before any batch, a read is answered at once.
      expect((await fetch(`${url}/thing`)).status).toBe(200);
      const write = fetch(`${url}/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: 's', scope: 'x', cis: [] }) })
        .then((r) => { order.push('write'); return r; });
      await inFlight;
      const read = fetch(`${url}/thing`).then(async (r) => { order.push('read'); return r.json(); });
      await later(50);
      expect(order).toEqual([]);
      answer({ result: { runId: 'r', created: 0, updated: 0, unchanged: 0, retired: 0, seq: 7 } as never, replayed: false });
      const w = await write;
      expect(await read).toEqual({ read: true });
      expect(order).toEqual(['write', 'read']);
      expect(w.status).toBe(200);
      const stages = parseServerTiming(w.headers.get('server-timing'));
      expect([...stages.keys()]).toEqual(['auth', 'body', 'apply', 'total']);
      expect(stages.get('total')).toBeGreaterThanOrEqual(50);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
