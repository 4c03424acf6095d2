/** Request limits; each is a setting (SERVICEGRAPH_LIMIT_<NAME>, read by server/config.ts, which takes its defaults from here). */
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
