#!/usr/bin/env node
// Builds web/dist when it is missing or older than any web source, so `npm start` and the tests
// always serve the UI as it is in the tree. Prints one line. Exit code is the build's.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(repo, 'web');
const dist = join(web, 'dist');
// The UI imports the shared model (types and the class registry), so those count as sources too.
const sources = [web, join(repo, 'server', 'model')];

function newest(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) {
    if (path === web && (entry === 'dist' || entry === 'node_modules')) continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

export function webBuildState() {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return { stale: true, why: 'web/dist is missing' };
  const built = statSync(index).mtimeMs;
  const src = Math.max(...sources.map(newest));
  return src > built ? { stale: true, why: 'web sources changed since the last build' } : { stale: false, why: 'web/dist is up to date' };
}

export function ensureWebBuild() {
  const state = webBuildState();
  if (!state.stale) {
    console.log(`ensure-web-build: ${state.why}`);
    return 0;
  }
  const started = Date.now();
  const vite = join(repo, 'node_modules', 'vite', 'bin', 'vite.js');
  const res = spawnSync(process.execPath, [vite, 'build', '--config', join(web, 'vite.config.ts'), '--logLevel', 'error'], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (res.status !== 0) {
    console.log(`ensure-web-build: build failed (${state.why}); run \`npm run build\` to see why`);
    return res.status ?? 1;
  }
  console.log(`ensure-web-build: built web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s (${state.why})`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = ensureWebBuild();
