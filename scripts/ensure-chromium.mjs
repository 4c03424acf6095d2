#!/usr/bin/env node
// `pretest`: the end-to-end tests drive Debian's Chromium (never a downloaded browser) and the
// server serves web/dist, so both must exist before vitest starts.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ensureWebBuild } from './ensure-web-build.mjs';

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function hasAptAsRoot() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  return spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

/** Chromium present, or installed from Debian's apt; else one line saying how, and false. */
function ensureChromium() {
  if (existsSync(chromium)) { console.log(`ensure-chromium: using ${chromium}`); return true; }
  if (!hasAptAsRoot()) {
    console.log(`ensure-chromium: no Chromium at ${chromium}; install it with \`sudo apt-get install -y chromium\` or set CHROMIUM_PATH`);
    return false;
  }
  const res = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (res.status !== 0 || !existsSync(chromium)) {
    console.log(`ensure-chromium: apt-get install chromium failed; install it by hand or set CHROMIUM_PATH`);
    return false;
  }
  console.log(`ensure-chromium: installed ${chromium}`);
  return true;
}

// Exit codes through process.exitCode: the lines above reach a pipe whole.
process.exitCode = ensureChromium() ? ensureWebBuild() : 1;
