import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { BindingConfig } from '../model/alerts.ts';
import type { Config } from '../config.ts';

/** Event management settings (SERVICEGRAPH_ALERT_*, SERVICEGRAPH_SITUATION_*), read once by server/config.ts. */
export type AlertSettings = Config['alerts'];

/** The binding rules in a YAML or JSON file; throws a message naming the file and what is wrong. */
export function loadBindings(file: string): BindingConfig {
  const text = readFileSync(file, 'utf8');
  const raw: unknown = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  const r = BindingConfig.safeParse(raw);
  if (!r.success) throw new Error(`${file} is not a valid alert binding configuration: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  for (const rule of r.data.rules) for (const re of Object.values(rule.match)) {
    try { new RegExp(re); } catch { throw new Error(`${file}: rule ${rule.name} has an invalid regular expression ${re}`); }
  }
  return r.data;
}
