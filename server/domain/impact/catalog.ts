/** What the catalog knows of one CI, as the domain functions read it. */
export interface NodeInfo {
  id: string;
  name: string;
  class: string;
  environment: string;
  tier: number | null;
  owner: string | null;
  /** Only the attributes the projection keeps (slo, downtimeCostPerHour, users, revenuePerHour). */
  attributes: Record<string, unknown>;
}

/** Lookup between external ids and dense node ids, and per-node facts, over one projection. */
export interface CatalogView {
  nodeOf(id: string): number | undefined;
  idOf(node: number): string;
  nameOf(node: number): string;
  classOf(node: number): string;
  tierOf(node: number): number | null;
  ownerOf(node: number): string | null;
  info(node: number): NodeInfo;
  /** The kept attributes alone (no object built per call). */
  attributesOf(node: number): Readonly<Record<string, unknown>>;
}
