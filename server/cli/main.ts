/**
 * `servicegraph <command>`: one CLI for users and collectors. Each command lives in its own module,
 * loaded only when called. Output is written, then the exit code set (`process.exitCode`): the process
 * ends once stdout drained, so a pipe to a slow reader gets all of it.
 */
import { processEnvironment } from '../config.ts';

interface Io { out(text: string): void; err(text: string): void; stdout(text: string): void; stderr(text: string): void; env: Readonly<Record<string, string | undefined>> }
type Command = (argv: string[], io: Io) => Promise<number>;

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: 'start the server (same as npm start)', load: async () => async () => { await import('../main.ts'); return -1; } },
  collect: { summary: 'run a collector and push what it finds: collect <source> [inputs] --server URL --token T', load: async () => (await import('../../collectors/cli.ts' as string)).runCollectCommand },
  mcp: { summary: 'an MCP server on stdio for AI agents: mcp [--server URL] [--token T]', load: async () => (await import('./mcp-command.ts' as string)).runMcpCommand },
  backup: { summary: 'online, consistent copy of the embedded store: backup <file> [--data-dir DIR]', load: async () => (await import('./backup-command.ts' as string)).backupCommand('backup') },
  restore: { summary: 'put a backup in place (the server must be stopped): restore <file> [--data-dir DIR]', load: async () => (await import('./backup-command.ts' as string)).backupCommand('restore') },
  impact: { summary: 'blast radius of a CI as a tree: impact <ci-name-or-id> [--down|--degraded] [--json]', load: async () => (await import('./impact-command.ts' as string)).runImpactCommand },
};

const write = (stream: NodeJS.WriteStream) => (text: string) => { stream.write(text); };
const io: Io = { out: write(process.stdout), err: write(process.stderr), stdout: write(process.stdout), stderr: write(process.stderr), env: processEnvironment() };

const [command, ...rest] = process.argv.slice(2);
if (!command || command === '--help' || command === '-h' || !commands[command]) {
  if (command && !commands[command] && command !== '--help' && command !== '-h') console.error(`unknown command: ${command}`);
  console.log('usage: servicegraph <command> [options]\n');
  for (const [n, c] of Object.entries(commands)) console.log(`  ${n.padEnd(8)} ${c.summary}`);
  process.exitCode = command && command !== '--help' && command !== '-h' ? 2 : 0;
} else {
  const run = await commands[command].load();
  const code = await run(rest, io);
  // -1: the command keeps serving (the server, the MCP stdio server) and ends on its own.
  if (code >= 0) process.exitCode = code;
}
