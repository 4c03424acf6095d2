export {};
/**
 * `servicegraph <command>`: one CLI for users and collectors. Each command lives in its own module,
 * loaded only when called.
 */
const commands: Record<string, { summary: string; load: () => Promise<(argv: string[]) => Promise<number>> }> = {
  serve: { summary: 'start the server (same as npm start)', load: async () => async () => { await import('../main.ts'); return -1; } },
  collect: { summary: 'run a collector and push what it finds: collect <source> [inputs] --server URL --token T', load: async () => (await import('../../collectors/cli.ts' as string)).runCollectCommand },
  mcp: { summary: 'an MCP server on stdio for AI agents: mcp [--server URL] [--token T]', load: async () => (await import('./mcp-command.ts' as string)).runMcpCommand },
  backup: { summary: 'online, consistent copy of the embedded store: backup <file> [--data-dir DIR]', load: async () => (await import('./backup-command.ts' as string)).backupCommand('backup') },
  restore: { summary: 'put a backup in place (the server must be stopped): restore <file> [--data-dir DIR]', load: async () => (await import('./backup-command.ts' as string)).backupCommand('restore') },
  impact: { summary: 'blast radius of a CI as a tree: impact <ci-name-or-id> [--down|--degraded] [--json]', load: async () => (await import('./impact-command.ts' as string)).runImpactCommand },
};

// Exit codes go through process.exitCode: process.exit() would cut output still queued for a pipe.
const [command, ...rest] = process.argv.slice(2);
if (!command || command === '--help' || command === '-h' || !commands[command]) {
  if (command && !commands[command] && command !== '--help' && command !== '-h') console.error(`unknown command: ${command}`);
  console.log('usage: servicegraph <command> [options]\n');
  for (const [n, c] of Object.entries(commands)) console.log(`  ${n.padEnd(8)} ${c.summary}`);
  process.exitCode = command && command !== '--help' && command !== '-h' ? 2 : 0;
} else {
  const run = await commands[command].load();
  const code = await run(rest);
  // -1: the command keeps serving (the server, the MCP stdio server) and ends on its own.
  if (code >= 0) process.exitCode = code;
}
