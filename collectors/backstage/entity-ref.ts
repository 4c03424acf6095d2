/**
 * Backstage entity references, `[kind:][namespace/]name`, with the defaults Backstage's catalog
 * applies: the kind the relation implies (owner → group, dependsOn → component...) and the namespace
 * of the entity that wrote the reference. Compared case-insensitively, as Backstage does.
 */
export interface EntityRef { kind: string; namespace: string; name: string }

export function parseEntityRef(ref: string, defaults: { kind: string; namespace: string }): EntityRef | null {
  const m = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(ref.trim());
  if (!m) return null;
  return {
    kind: (m[1] ?? defaults.kind).toLowerCase(),
    namespace: (m[2] ?? defaults.namespace).toLowerCase(),
    name: m[3].toLowerCase(),
  };
}

/** The canonical `kind:namespace/name` text, the `backstageRef` identifier of the CI. */
export const refText = (r: EntityRef) => `${r.kind}:${r.namespace}/${r.name}`;
