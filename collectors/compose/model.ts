/** A compose project after interpolation and normalisation of every syntax variant Compose accepts. */
export interface ComposeProject {
  /** Project name: `name:`, else COMPOSE_PROJECT_NAME, else the folder name (Compose's own order). */
  name: string;
  /** The first compose file (messages name it). */
  file: string;
  /** Every compose file merged, in order (`-f` order, or the default file then its override). */
  files: string[];
  services: ComposeService[];
  warnings: string[];
  /** Profiles enabled (`--profile`, COMPOSE_PROFILES). */
  activeProfiles: string[];
}

export interface ComposeService {
  name: string;
  line?: number;
  image?: string;
  /** Set when the service is built from a Dockerfile rather than pulled. */
  build: boolean;
  /**
   * For a built service, images its build names (`build.args` ending in IMAGE, `cache_from`): the
   * OpenTelemetry demo builds opensearch `FROM ${OPENSEARCH_IMAGE}`, which is what the container runs.
   */
  buildImages: string[];
  hostname?: string;
  containerName?: string;
  /** Network aliases: other names the service answers to on its networks. */
  aliases: string[];
  /** Final environment (env_file, then `environment:` overriding), in declaration order. */
  environment: { key: string; value: string }[];
  dependsOn: string[];
  links: { service: string; alias: string }[];
  ports: string[];
  /** Configuration files bind-mounted from the project (relative sources that exist), read as text. */
  mounts: MountedConfig[];
  replicas?: number;
  profiles: string[];
  /** False for a service none of whose profiles is active: `docker compose up` would not start it. */
  startedByDefault: boolean;
  /** `command:` and `entrypoint:` as words (a string is split as a shell would). */
  command?: string[];
  entrypoint?: string[];
}

/** One bind mount's source as read: a file, or the config files of a folder. */
export interface MountedConfig {
  /** The source as written after interpolation (`./src/otel-collector/otelcol-config.yml`). */
  source: string;
  files: { path: string; text: string }[];
}
