import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

/**
 * The README's API tour, run as a reader runs it: its shell blocks (the tour, impact and alerts sections), in order, with bash, curl and jq, against a
 * server holding the demo estate (`npm start -- --demo`). Only the address and the admin token differ: the test
 * server's, where the tour reads `data/admin-token` of a checkout.
 */
const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

/** The first ```sh block after a heading. */
function blockAfter(heading: string): string {
  const at = readme.indexOf(heading);
  expect(at, heading).toBeGreaterThanOrEqual(0);
  const start = readme.indexOf('```sh\n', at) + 6;
  return readme.slice(start, readme.indexOf('```', start));
}

const hasTools = ['bash', 'curl', 'jq'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);

describe.skipIf(!hasTools)('the README API tour on the demo estate', () => {
  let srv: TestServer;
  beforeAll(async () => { srv = await startTestServer({ demo: true }); });
  afterAll(async () => { await srv?.close(); });

  it('answers every call with a 2xx, ids carried from reply to reply, as written', async () => {
    const tour = ['## API tour', '## Impact, incidents, changes, root cause', '## Alerts, live health and situations'].map(blockAfter).join('\n');
    const first = 'export SG=http://localhost:8080 T=$(cat data/admin-token)';
    expect(tour.startsWith(first)).toBe(true);
    // Each call's status and address go to fd 3, its reply to stdout as the reader would see it.
    const script = `curl() { local out url a; for a; do case $a in http*) url=$a;; esac; done
  out=$(command curl -w '\\n%{http_code}' "$@"); echo "\${out##*$'\\n'} $url" >&3; printf '%s' "\${out%$'\\n'*}"; }
set -e -o pipefail
export SG=${srv.url} T=${srv.adminToken}
${tour.slice(first.length)}`;
    // Not execFileSync: the server runs in this process and must answer meanwhile.
    const calls = (await promisify(execFile)('bash', ['-c', `exec 3>&1 1>/dev/null; ${script}`], { encoding: 'utf8', timeout: 60_000 })).stdout.trim().split('\n');

    const curls = (tour.match(/\bcurl -s/g) ?? []).length;
    expect(calls).toHaveLength(curls);
    expect(calls.filter((c) => !/^2\d\d /.test(c))).toEqual([]);
    // No call went out with an empty id where the tour carries one from a reply.
    const emptyId = (address: string) => { const u = new URL(address); return /\/(null)?(\/|$)/.test(u.pathname) || /=(null)?(&|$)/.test(u.search); };
    expect(calls.filter((c) => emptyId(c.split(' ')[1]))).toEqual([]);
    // What the tour says of its alert: checkout-db's situation opened its incident by itself.
    const open = (await srv.api('/api/v1/situations?status=open')).body.items as { cause: { name: string }; incident: string | null }[];
    expect(open.find((x) => x.cause.name === 'checkout-db')?.incident).toMatch(/^inc-/);
  }, 90_000);
});
