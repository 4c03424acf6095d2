import { parseAllDocuments } from 'yaml';

/** A key and a scalar value found in a configuration file, e.g. `endpoint` → `jaeger-collector:4317`. */
export interface ConfigEntry {
  key: string;
  value: string;
}

/**
 * Reads a configuration file held as text (a ConfigMap value, a mounted file) into key/value pairs
 * so that the endpoint parser can judge each value by its key. YAML and JSON are walked as trees
 * (a list item takes its parent's key); anything else (`.ini`, `.properties`, `.conf`) is read line by
 * line as `key = value` / `key: value`.
 */
export function configEntries(text: string): ConfigEntry[] {
  const tree = parseTree(text);
  if (tree !== undefined && typeof tree === 'object' && tree !== null) {
    const out: ConfigEntry[] = [];
    walk(tree, '', out);
    return out;
  }
  return lineEntries(text);
}

function parseTree(text: string): unknown {
  try {
    const docs = parseAllDocuments(text, { merge: true });
    if (!Array.isArray(docs) || docs.some((d) => d.errors.length)) return undefined;
    const values = docs.map((d) => d.toJS({ maxAliasCount: 1000 }));
    return values.length === 1 ? values[0] : values;
  } catch {
    return undefined;
  }
}

function walk(v: unknown, key: string, out: ConfigEntry[]): void {
  if (typeof v === 'string') out.push({ key, value: v });
  else if (Array.isArray(v)) v.forEach((x) => walk(x, key, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k, out);
}

function lineEntries(text: string): ConfigEntry[] {
  const out: ConfigEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('//')) continue;
    const m = /^([\w.\-\s]+?)\s*[=:]\s*(.+)$/.exec(line);
    out.push(m ? { key: m[1], value: m[2] } : { key: '', value: line });
  }
  return out;
}
