#!/usr/bin/env node
// Entry point of `npx servicegraph <command>`: runs the TypeScript CLI in a child Node with tsx loaded
// (Node 20 cannot run .ts itself). Signals sent to this process (systemd, Docker and Kubernetes send
// SIGTERM to the process they started) are handed to the child, which drains and stops; this process
// then ends with the child's exit code, without cutting its output short.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// tsx as this package resolves it, so the command works from any directory.
const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(root, 'server', 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: process.cwd() });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => { child.kill(signal); });
}
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15) : 1);
});
