import { extractEndpoints, isHostKey, type Endpoint } from './endpoints.ts';
import { isHealthCheckUrl } from './health-check.ts';

/**
 * Host names a container's command line points at: `-h edge-router`, `--host=db`, `-H cache`,
 * `--redis-url redis://cache:6379`, `wait-for db:5432`, and the same inside `sh -c "..."`.
 *
 * A command is weaker evidence than an environment variable (a flag's meaning is the program's own,
 * `-h` is "help" to many), so callers match the names against the services they know and record such
 * edges with a lower confidence.
 */

/** A command as Compose takes it: a string split the way a shell splits words, or a list of words. */
export function commandTokens(v: unknown): string[] | undefined {
  if (typeof v === 'string') return shellWords(v);
  if (Array.isArray(v)) return v.filter((x) => typeof x === 'string' || typeof x === 'number').map(String);
  return undefined;
}

/** Splits on whitespace outside quotes; quotes are removed, backslash escapes the next character. */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (has || cur) out.push(cur);
  return out;
}

/** Short flags that name a host in the tools seen in compose files (wrk2 `-h`, redis-cli/mysql `-h`, docker `-H`). */
const HOST_SHORT_FLAGS = new Set(['h', 'H']);

/** Words that end a flag's value: shell operators. */
const SHELL_OPERATOR = /^(?:&&|\|\||;|\||&)$/;

export interface CommandEndpoint extends Endpoint {
  /** The flag that named it (`-h`, `--host`), when one did. */
  flag?: string;
  /** Named by a health-check URL (`curl http://app:8080/healthz`): the command watches it, does not need it. */
  health: boolean;
}

/**
 * Every endpoint a command names, with the flag or word that named it. Words holding a whole script
 * (`sh -c "until nc -z db 5432; do sleep 1; done"`) are split again.
 */
export function commandEndpoints(tokens: readonly string[]): CommandEndpoint[] {
  const words = tokens.flatMap((t) => (/\s/.test(t) ? shellWords(t) : [t])).flatMap((w) => w.split(/(?<=[;&|])|(?=[;&|])/).filter(Boolean));
  const out: CommandEndpoint[] = [];
  const add = (key: string, value: string, flag?: string) => {
    const health = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) && isHealthCheckUrl(value);
    for (const e of extractEndpoints(key, value)) out.push(flag ? { ...e, flag, health } : { ...e, health });
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (SHELL_OPERATOR.test(w)) continue;
    const long = /^--?([A-Za-z][\w.-]*)=(.+)$/.exec(w);
    if (long) {
      add(long[1], long[2], `--${long[1]}`);
      continue;
    }
    const flag = /^(?:--([A-Za-z][\w.-]*)|-([A-Za-z]))$/.exec(w);
    const next = words[i + 1];
    if (flag && next !== undefined && !next.startsWith('-') && !SHELL_OPERATOR.test(next)) {
      const name = flag[1] ?? flag[2];
      const hostFlag = flag[2] ? HOST_SHORT_FLAGS.has(name) : isHostKey(name);
      // The flag's value: a bare name counts only after a flag that says it holds a host.
      add(hostFlag ? 'host' : name, next, w);
      i++;
      continue;
    }
    // `-hcache` (a short flag glued to its value, as redis-cli and mysql accept).
    const glued = /^-([hH])([a-z][a-z0-9._-]*)$/.exec(w);
    if (glued) {
      add('host', glued[2], `-${glued[1]}`);
      continue;
    }
    // A URL or host:port anywhere in the command.
    add('', w);
  }
  return out;
}
