import pino, { type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof logLevels)[number];

/**
 * The process's one logger: a JSON line per event on stdout (what Loki, Elasticsearch and
 * `kubectl logs | jq` expect), or pino-pretty's readable lines when stdout is a terminal.
 * Secrets never reach it: request logs carry a token's name, never its value (see redact).
 */
export function createLogger(opts: { level: LogLevel; pretty?: boolean; destination?: NodeJS.WritableStream }): Logger {
  const options = {
    level: opts.level,
    base: { pid: process.pid },
    // Belt and braces: a header or field that carries a secret is never written, even by mistake.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'token', '*.token'], censor: '[redacted]' },
  };
  const usePretty = opts.pretty ?? (!opts.destination && process.stdout.isTTY === true);
  if (usePretty) return pino(options, pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  return pino(options, (opts.destination ?? pino.destination({ dest: 1, sync: false })) as pino.DestinationStream);
}

/** For tests and tools that want no log lines. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
