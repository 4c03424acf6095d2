import { CollectError } from '../types.ts';

/**
 * Docker Compose variable interpolation, as `docker compose config` does it:
 * `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}` (unset), `${VAR:?msg}`, `${VAR?msg}`,
 * `${VAR:+alt}`, `${VAR+alt}`, `$VAR`, and `$$` for a literal `$`. Defaults may nest (`${A:-${B}}`).
 */
export type Lookup = (name: string) => string | undefined;

export interface InterpolationResult {
  value: string;
  /** Variables that were referenced but not set (Compose warns and uses an empty string). */
  unset: string[];
}

export function interpolate(input: string, lookup: Lookup): InterpolationResult {
  const unset: string[] = [];
  const value = expand(input, lookup, unset);
  return { value, unset };
}

function expand(s: string, lookup: Lookup, unset: string[]): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = matchingBrace(s, i + 1);
      if (end < 0) throw new Error(`unterminated variable reference in "${s}"`);
      out += braced(s.slice(i + 2, end), lookup, unset);
      i = end + 1;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1));
      if (!m) {
        out += '$';
        i++;
        continue;
      }
      const v = lookup(m[0]);
      if (v === undefined) unset.push(m[0]);
      out += v ?? '';
      i += 1 + m[0].length;
    }
  }
  return out;
}

function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    if (s[j] === '{') depth++;
    else if (s[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function braced(body: string, lookup: Lookup, unset: string[]): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  if (!m) throw new Error(`invalid variable reference \${${body}}`);
  const [, name, op, arg = ''] = m;
  const v = lookup(name);
  const empty = v === undefined || (op?.startsWith(':') && v === '');
  switch (op) {
    case undefined:
      if (v === undefined) unset.push(name);
      return v ?? '';
    case ':-':
    case '-':
      return (op === '-' ? v === undefined : empty) ? expand(arg, lookup, unset) : v!;
    case ':+':
    case '+':
      return (op === '+' ? v !== undefined : !empty) ? expand(arg, lookup, unset) : '';
    case ':?':
    case '?':
      if (op === '?' ? v === undefined : empty) throw new Error(`required variable ${name} is missing a value: ${arg}`);
      return v!;
    default:
      throw new Error(`invalid variable reference \${${body}}`);
  }
}

/**
 * Parses a `.env` / `env_file` file: `KEY=VALUE`, optional `export `, comments, single quotes (literal),
 * double quotes (escapes and interpolation), unquoted values with ` #` comments trimmed. Values may
 * reference variables defined above them or in `lookup`.
 */
export function parseDotEnv(text: string, file: string, lookup: Lookup = () => undefined): Map<string, string> {
  const vars = new Map<string, string>();
  const chained: Lookup = (name) => vars.get(name) ?? lookup(name);
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new CollectError(`expected KEY=VALUE, got "${line.slice(0, 60)}"`, file, n + 1);
    const [, key, rawValue] = m;
    try {
      vars.set(key, dotEnvValue(rawValue, chained));
    } catch (e) {
      throw new CollectError((e as Error).message, file, n + 1);
    }
  }
  return vars;
}

function dotEnvValue(raw: string, lookup: Lookup): string {
  if (raw.startsWith("'")) {
    const end = raw.indexOf("'", 1);
    if (end < 0) throw new Error('unterminated single quote');
    return raw.slice(1, end);
  }
  if (raw.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(raw);
    if (!m) throw new Error('unterminated double quote');
    const unescaped = m[1].replace(/\\([nrt"\\$])/g, (_, ch: string) => ({ n: '\n', r: '\r', t: '\t', $: '$$' })[ch] ?? ch);
    return interpolate(unescaped, lookup).value;
  }
  const noComment = raw.replace(/\s+#.*$/, '').trim();
  return interpolate(noComment, lookup).value;
}
