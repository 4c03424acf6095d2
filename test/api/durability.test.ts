import { describe, it, expect, afterEach } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnServer as spawnChild } from '../helpers/child-server.ts';

const token = 'sg_durability_admin';
const spawnServer = (dataDir: string, port: number) => spawnChild({ dataDir, port, token });

describe('durability', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterEach(() => { for (const c of children) c.kill('SIGKILL'); for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('keeps a whole acknowledged batch when the server is SIGKILLed right after the 200', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sg-durable-'));
    dirs.push(dataDir);
    const port = await freePort();
    const first = await spawnServer(dataDir, port);
    children.push(first);
    const cis = Array.from({ length: 500 }, (_, i) => ({ class: 'service', name: `svc-${i}`, environment: 'prod', attributes: { i } }));
    const relations = Array.from({ length: 499 }, (_, i) => ({ type: 'DEPENDS_ON', from: { class: 'service', name: `svc-${i}`, environment: 'prod' }, to: { class: 'service', name: `svc-${i + 1}`, environment: 'prod' } }));
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/ingest`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'durability', cis, relations }),
    });
    expect(res.status).toBe(200);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const second = await spawnServer(dataDir, port);
    children.push(second);
    const list = await fetch(`http://127.0.0.1:${port}/api/v1/cis?limit=1000`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
    expect(list.items).toHaveLength(500);
    const mid = list.items.find((c: { name: string }) => c.name === 'svc-250');
    const detail = await fetch(`http://127.0.0.1:${port}/api/v1/cis/${mid.id}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
    expect(detail.relations.outgoing).toHaveLength(1);
    expect(detail.relations.incoming).toHaveLength(1);
    expect(detail.attributes).toEqual({ i: 250 });
  }, 90_000);
});
