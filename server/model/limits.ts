/** Request limits; each can be overridden by an environment variable of the same name in SCREAMING_CASE. */
export interface Limits {
  bodyBytes: number;
  batchCis: number;
  batchRelations: number;
  attributeDepth: number;
  attributeBytes: number;
  graphNodes: number;
  graphEdges: number;
  listLimit: number;
  impactResults: number;
  /** Largest MCP tool reply, in bytes of JSON: what fits an agent's context beside its conversation. */
  mcpReplyBytes: number;
}

export const defaultLimits: Limits = {
  bodyBytes: 16 * 1024 * 1024,
  batchCis: 10_000,
  batchRelations: 30_000,
  attributeDepth: 6,
  attributeBytes: 64 * 1024,
  graphNodes: 5_000,
  graphEdges: 20_000,
  listLimit: 1_000,
  impactResults: 100_000,
  mcpReplyBytes: 48 * 1024,
};

export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): Limits {
  const out = { ...defaultLimits };
  for (const key of Object.keys(out) as (keyof Limits)[]) {
    const envName = 'SERVICEGRAPH_LIMIT_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
    const raw = env[envName];
    if (raw !== undefined && /^\d+$/.test(raw)) out[key] = Number(raw);
  }
  return out;
}
