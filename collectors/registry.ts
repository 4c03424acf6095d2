import { awsCollector } from './aws/index.ts';
import { backstageCollector } from './backstage/index.ts';
import { composeCollector } from './compose/index.ts';
import { csvCollector } from './csv/index.ts';
import { kubernetesCollector } from './kubernetes/index.ts';
import { netstatCollector } from './netstat/index.ts';
import { nmapCollector } from './nmap/index.ts';
import { otelCollector } from './otel/index.ts';
import type { Collector } from './types.ts';

/** Source name → collector; `servicegraph collect <source>` looks here. Add a collector with one line. */
export const collectors: ReadonlyMap<string, Collector> = new Map(
  [kubernetesCollector, composeCollector, otelCollector, backstageCollector, netstatCollector, nmapCollector, csvCollector, awsCollector].map((c) => [c.source, c]),
);

export function collectorFor(source: string): Collector | undefined {
  return collectors.get(source);
}
