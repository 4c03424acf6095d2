import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BindingConfig, HealthState } from '../model/alerts.ts';
import { Priority } from '../model/incidents.ts';
import { defaultBindingConfig } from '../domain/alerts/bind.ts';
import { defaultSeverityHealth } from '../domain/alerts/parse.ts';

/** Event management settings, read once at start (README lists them); anything invalid stops the start-up with the reason. */
export interface AlertSettings {
  bindings: BindingConfig;
  /** Where the bindings came from: a file, or the built-in defaults. */
  bindingsSource: string;
  /** A firing alert with no `endsAt` that is not re-sent for this long expires. */
  timeoutMs: number;
  /** Alerts closer in time than this may form one situation. */
  windowMs: number;
  /** Situations at or above this priority open an incident by themselves; null: only by hand. */
  autoIncidentPriority: Priority | null;
  severityHealth: Record<string, HealthState>;
}

const minutes = (name: string, v: string | undefined, d: number) => {
  if (v === undefined || v === '') return d * 60_000;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of minutes, not ${v}`);
  return n * 60_000;
};

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

export function alertSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): AlertSettings {
  const file = env.SERVICEGRAPH_ALERT_BINDINGS;
  const auto = env.SERVICEGRAPH_SITUATION_AUTO_INCIDENT ?? 'P1';
  if (auto !== 'off' && !Priority.safeParse(auto).success) throw new Error(`SERVICEGRAPH_SITUATION_AUTO_INCIDENT must be P1, P2, P3, P4 or off, not ${auto}`);
  let severityHealth: Record<string, HealthState> = { ...defaultSeverityHealth };
  if (env.SERVICEGRAPH_ALERT_SEVERITY_HEALTH) {
    const r = z.record(z.string(), HealthState).safeParse(JSON.parse(env.SERVICEGRAPH_ALERT_SEVERITY_HEALTH));
    if (!r.success) throw new Error('SERVICEGRAPH_ALERT_SEVERITY_HEALTH must be a JSON object of severity → down|degraded|none');
    // Null prototype: the keys come from configuration and are looked up with alert input.
    severityHealth = Object.assign(Object.create(null), severityHealth, Object.fromEntries(Object.entries(r.data).map(([k, v]) => [k.toLowerCase(), v])));
  }
  return {
    bindings: file ? loadBindings(file) : defaultBindingConfig,
    bindingsSource: file ?? 'built-in defaults',
    timeoutMs: minutes('SERVICEGRAPH_ALERT_TIMEOUT_MINUTES', env.SERVICEGRAPH_ALERT_TIMEOUT_MINUTES, 360),
    windowMs: minutes('SERVICEGRAPH_SITUATION_WINDOW_MINUTES', env.SERVICEGRAPH_SITUATION_WINDOW_MINUTES, 10),
    autoIncidentPriority: auto === 'off' ? null : (auto as Priority),
    severityHealth,
  };
}
