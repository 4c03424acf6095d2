/** A compose project after interpolation and normalisation of every syntax variant Compose accepts. */
export interface ComposeProject {
  /** Project name: `name:`, else COMPOSE_PROJECT_NAME, else the folder name (Compose's own order). */
  name: string;
  file: string;
  services: ComposeService[];
  warnings: string[];
}

export interface ComposeService {
  name: string;
  line?: number;
  image?: string;
  /** Set when the service is built from a Dockerfile rather than pulled. */
  build: boolean;
  hostname?: string;
  containerName?: string;
  /** Network aliases: other names the service answers to on its networks. */
  aliases: string[];
  /** Final environment (env_file, then `environment:` overriding), in declaration order. */
  environment: { key: string; value: string }[];
  dependsOn: string[];
  links: { service: string; alias: string }[];
  ports: string[];
  replicas?: number;
  profiles: string[];
}
