import type { CiRef, IngestCi } from '../../server/model/ingest.ts';
import type { Collected } from '../types.ts';
import { configEntries } from '../shared/config-text.ts';
import { commandEndpoints } from '../shared/command-hosts.ts';
import { EdgeSet, type EvidenceKind } from '../shared/edges.ts';
import { extractEndpoints } from '../shared/endpoints.ts';
import { isHealthCheck } from '../shared/health-check.ts';
import { classifyImage } from '../../common/image-class.ts';
import type { ComposeProject, ComposeService } from './model.ts';

export interface ComposeTransformOptions {
  /** Environment of the CIs; defaults to the project name so that two projects' `db` stay apart. */
  environment?: string;
  scope?: string;
}

/**
 * A compose project → one software CI per service (`database`/`queue`/`cache` when the image is a known
 * data store, else `service`) and DEPENDS_ON edges from `depends_on`, `links`, environment values
 * that name another service (by service name, hostname, container_name, network alias or link alias)
 * and hosts in `command`/`entrypoint` (confidence `medium`). A service reached only through health-check
 * URLs is MONITORS, not DEPENDS_ON. Pure: no file or network access. Environment values and commands are
 * read for host names only and never copied.
 */
export function transformCompose(project: ComposeProject, opts: ComposeTransformOptions = {}): Collected {
  const environment = opts.environment ?? project.name;
  const warnings = [...project.warnings];
  const classOf = new Map(project.services.map((s) => [s.name, imageKind(s)?.class ?? 'service']));
  const ref = (service: string): CiRef => ({ class: classOf.get(service)!, name: service, environment });

  const cis: IngestCi[] = project.services.map((s) => toCi(s, project, environment));
  const names = hostIndex(project.services);
  const edges = new EdgeSet();
  const link = (from: string, to: string, via: string, kind: EvidenceKind = 'config') => {
    if (from !== to) edges.add(from, ref(from), to, ref(to), via, kind);
  };

  for (const s of project.services) {
    for (const d of s.dependsOn) link(s.name, d, 'depends_on', 'declared');
    const linkAliases = new Map<string, string>();
    for (const l of s.links) {
      link(s.name, l.service, 'links', 'declared');
      linkAliases.set(l.alias.toLowerCase(), l.service);
    }
    const resolveHost = (host: string) => linkAliases.get(host) ?? names.get(host);
    for (const { key, value } of s.environment) {
      const kind = isHealthCheck(key, value) ? 'health' : 'config';
      for (const e of extractEndpoints(key, value)) {
        const target = resolveHost(e.host);
        if (target) link(s.name, target, `env:${key}`, kind);
        else if (!e.host.includes('.')) warnings.push(`${project.file}: service ${s.name}: ${key} names "${e.host}", which is no service of this project`);
      }
    }
    addCommandEdges(s, resolveHost, link);
  }
  addMountedConfigEdges(project, names, link, warnings);
  return { scope: opts.scope ?? project.name, cis, relations: edges.relations(), warnings };
}

/**
 * Hosts in `command:` and `entrypoint:` that are services of the project (`-h edge-router`,
 * `--host=db`, `redis://cache:6379`). Names that are no service are not reported: commands are full of
 * words that only look like hosts. A health-check URL in a command is health evidence.
 */
function addCommandEdges(s: ComposeService, resolveHost: (host: string) => string | undefined, link: (from: string, to: string, via: string, kind: EvidenceKind) => void): void {
  for (const [via, tokens] of [['command', s.command], ['entrypoint', s.entrypoint]] as const) {
    for (const e of tokens ? commandEndpoints(tokens) : []) {
      const target = resolveHost(e.host);
      if (target) link(s.name, target, via, e.health ? 'health' : 'command');
    }
  }
}

/** The image, else an image the build names (the demo's opensearch is built `FROM` opensearch). */
function imageKind(s: ComposeService) {
  return classifyImage(s.image) ?? s.buildImages.map(classifyImage).find(Boolean);
}

/**
 * Edges from the configuration files a service mounts (the OpenTelemetry demo's collector pipeline and
 * Grafana datasources live there, not in env). Values may name hosts through the service's env, as
 * the Collector's `${env:VAR}` and Grafana's `${VAR}` do. A file several services mount is an address
 * book (DeathStarBench's service-config.json lists every service): it says where services are, not
 * who calls whom, so it makes no edge.
 */
function addMountedConfigEdges(project: ComposeProject, names: Map<string, string>, link: (from: string, to: string, via: string) => void, warnings: string[]): void {
  const mountedBy = new Map<string, Set<string>>();
  for (const s of project.services) for (const m of s.mounts) for (const f of m.files) mountedBy.set(f.path, (mountedBy.get(f.path) ?? new Set()).add(s.name));
  const shared = new Set<string>();
  for (const s of project.services) {
    const env = new Map(s.environment.map((e) => [e.key, e.value]));
    const expand = (text: string) => text.replace(/\$\$|\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name?: string) => (name === undefined ? m : env.get(name) ?? m));
    for (const f of s.mounts.flatMap((m) => m.files)) {
      if (mountedBy.get(f.path)!.size > 1) {
        shared.add(f.path);
        continue;
      }
      for (const entry of configEntries(expand(f.text))) {
        for (const e of extractEndpoints(entry.key, entry.value)) {
          const target = names.get(e.host);
          if (target) link(s.name, target, `file:${f.path}`);
        }
      }
    }
  }
  for (const path of [...shared].sort()) {
    warnings.push(`${project.file}: ${path} is mounted by ${[...mountedBy.get(path)!].sort().join(', ')}; a file shared like this is read as an address book, not as edges`);
  }
}

function toCi(s: ComposeService, project: ComposeProject, environment: string): IngestCi {
  const kind = imageKind(s);
  const attributes: Record<string, unknown> = { composeProject: project.name, composeService: s.name };
  if (s.image) attributes.image = s.image;
  if (kind) attributes.product = kind.product;
  if (s.build) attributes.built = true;
  if (s.hostname) attributes.hostname = s.hostname;
  if (s.containerName) attributes.containerName = s.containerName;
  if (s.ports.length) attributes.ports = s.ports;
  if (s.replicas !== undefined) attributes.replicas = s.replicas;
  if (s.profiles.length) attributes.profiles = s.profiles;
  // Still a CI: the configuration is real, `docker compose --profile ... up` starts it.
  if (!s.startedByDefault) attributes.startedByDefault = false;
  return { class: kind?.class ?? 'service', name: s.name, environment, attributes };
}

/** Every name a service answers to on the project network. */
function hostIndex(services: ComposeService[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const s of services) {
    for (const n of [s.hostname, s.containerName, ...s.aliases]) if (n) index.set(n.toLowerCase(), s.name);
  }
  // Service names win over another service's alias or hostname, as Docker's embedded DNS answers them first.
  for (const s of services) index.set(s.name.toLowerCase(), s.name);
  return index;
}
