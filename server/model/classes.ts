import { z } from 'zod';

/**
 * The CI class registry: every class is declared once here, and validation, identification,
 * Neo4j labels, layered layout and the UI legend are derived from it (Cartography's node schema idea).
 */
export const layers = ['business', 'application', 'software', 'platform', 'infrastructure', 'organisation'] as const;
export const Layer = z.enum(layers);
export type Layer = z.infer<typeof Layer>;

export interface CiClassDef {
  /** Stable name used in the API, e.g. `load_balancer`. */
  name: string;
  layer: Layer;
  /** Neo4j label, PascalCase of the name. */
  label: string;
  /** Human label for the UI legend. */
  title: string;
  /** The title for several, as a group of them is labelled ("12 Kubernetes workloads"). */
  plural: string;
  /**
   * Ordered identifier rules: an item is matched by the first rule whose values it carries.
   * `name` and `environment` are read from the item's top-level fields, the rest from `identifiers`.
   */
  identifierRules: string[][];
  /**
   * Rules among `identifierRules` whose values name one thing for its whole life (a cloud instance or resource
   * id): an item and a CI holding different values for one of them are two CIs, even when a weaker rule (an IP
   * address, a DNS name, a name) would match them. Cloud estates reuse private addresses across VPCs and names
   * across instances of one auto-scaling group, and those must not merge.
   */
  distinctRules: string[][];
}

const SOFTWARE_TAIL = [['environment', 'name']];
const PLATFORM_TAIL = [['cluster', 'namespace', 'name']];

const CLOUD_INSTANCE = ['cloud', 'instanceId'];
const CLOUD_RESOURCE = ['cloud', 'resourceId'];

function def(name: string, layer: Layer, title: string, identifierRules: string[][], plural = `${title}s`): CiClassDef {
  const label = name.split('_').map((p) => p[0].toUpperCase() + p.slice(1)).join('');
  const distinctRules = identifierRules.filter((r) => r === CLOUD_INSTANCE || r === CLOUD_RESOURCE);
  return { name, layer, label, title, plural, identifierRules, distinctRules };
}

export const ciClassList: readonly CiClassDef[] = [
  def('business_service', 'business', 'Business service', [['serviceId'], ...SOFTWARE_TAIL]),
  def('application_service', 'application', 'Application service', [['serviceId'], ...SOFTWARE_TAIL]),
  def('application', 'application', 'Application', [['appId'], ['backstageRef'], ...SOFTWARE_TAIL]),
  def('service', 'software', 'Service', [['backstageRef'], ['cluster', 'namespace', 'name'], ...SOFTWARE_TAIL]),
  def('database', 'software', 'Database', [['endpoint'], ['backstageRef'], ...SOFTWARE_TAIL]),
  def('queue', 'software', 'Queue / topic', [['endpoint'], ['backstageRef'], ...SOFTWARE_TAIL], 'Queues / topics'),
  def('cache', 'software', 'Cache', [['endpoint'], ['backstageRef'], ...SOFTWARE_TAIL], 'Caches'),
  def('api', 'software', 'API', [['backstageRef'], ...SOFTWARE_TAIL]),
  def('load_balancer', 'software', 'Load balancer', [CLOUD_RESOURCE, ['endpoint'], ...SOFTWARE_TAIL]),
  def('dns_name', 'software', 'DNS name', [['fqdn'], ...SOFTWARE_TAIL]),
  def('k8s_cluster', 'platform', 'Kubernetes cluster', [['clusterUid'], ['name']]),
  def('k8s_namespace', 'platform', 'Kubernetes namespace', [['cluster', 'name']]),
  def('k8s_workload', 'platform', 'Kubernetes workload', [['uid'], ['cluster', 'namespace', 'kind', 'name'], ...PLATFORM_TAIL]),
  def('pod', 'platform', 'Pod', [['uid'], ...PLATFORM_TAIL]),
  def('container', 'platform', 'Container', [['containerId'], ['host', 'name']]),
  def('host', 'infrastructure', 'Host', [['serialNumber'], CLOUD_INSTANCE, ['fqdn'], ['ip'], ['environment', 'name']]),
  def('vm', 'infrastructure', 'Virtual machine', [['serialNumber'], CLOUD_INSTANCE, ['fqdn'], ['environment', 'name']]),
  def('network_device', 'infrastructure', 'Network device', [['serialNumber'], ['managementIp'], ['environment', 'name']]),
  // A cloud VPC or subnet (a VLAN or an on-premises subnet by name): what the hosts in it lose when it fails.
  def('network', 'infrastructure', 'Network', [CLOUD_RESOURCE, ['environment', 'name']]),
  def('storage', 'infrastructure', 'Storage', [['serialNumber'], CLOUD_RESOURCE, ['environment', 'name']], 'Storage systems'),
  def('cloud_resource', 'infrastructure', 'Cloud resource', [CLOUD_RESOURCE, ['environment', 'name']]),
  def('team', 'organisation', 'Team', [['name']]),
];

export const ciClasses: ReadonlyMap<string, CiClassDef> = new Map(ciClassList.map((c) => [c.name, c]));
export const ciClassNames = ciClassList.map((c) => c.name) as [string, ...string[]];
export const CiClassName = z.enum(ciClassNames);
export type CiClassName = z.infer<typeof CiClassName>;

export const layerOrder: Record<Layer, number> = {
  business: 0, application: 1, software: 2, platform: 3, infrastructure: 4, organisation: 5,
};

export function classDef(name: string): CiClassDef {
  const c = ciClasses.get(name);
  if (!c) throw new Error(`unknown CI class ${name}`);
  return c;
}

/**
 * Which source wins an attribute when several assert it (ServiceNow IRE reconciliation rules).
 * Per class and attribute when set, else the default order. Sources not listed rank after the listed
 * ones; among equals, the most recently seen assertion wins.
 */
export const defaultSourcePrecedence = ['manual', 'backstage', 'csv', 'kubernetes', 'compose', 'otel', 'netstat', 'nmap'];
export const attributePrecedence: Record<string, string[]> = {
  owner: ['backstage', 'manual', 'csv', 'kubernetes', 'compose'],
  tier: ['manual', 'backstage', 'csv'],
};
export const classAttributePrecedence: Record<string, Record<string, string[]>> = {
  // A cloud instance's Name tag is a person's choice; netstat's hostname (ip-10-0-0-5) is the image's default.
  host: { name: ['manual', 'csv', 'aws', 'netstat', 'nmap', 'kubernetes'] },
};

/** Attribute names come from input (`toString`, `__proto__`, ...): only own entries of the tables count. */
export function precedenceFor(ciClass: string, attribute: string): string[] {
  const perClass = Object.hasOwn(classAttributePrecedence, ciClass) ? classAttributePrecedence[ciClass] : undefined;
  if (perClass && Object.hasOwn(perClass, attribute)) return perClass[attribute];
  return Object.hasOwn(attributePrecedence, attribute) ? attributePrecedence[attribute] : defaultSourcePrecedence;
}
