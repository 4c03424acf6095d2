/**
 * Class icons: a white pictogram per CI class, drawn inside the node (as ServiceNow's and Dynatrace's
 * maps do), so a database reads as a database before its name is legible. Plain SVG paths, 24×24,
 * stroked; data URIs, so Cytoscape loads each once and nothing is fetched.
 */
const PATHS: Record<string, string> = {
  business_service: '<rect x="3" y="7" width="18" height="13" rx="2"/><path d="M9 7V5h6v2M3 12h18"/>',
  application_service: '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M3 9h18M7 6.5h1"/>',
  application: '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M3 9h18"/>',
  service: '<path d="M12 2.5l8.2 4.75v9.5L12 21.5l-8.2-4.75v-9.5z"/><circle cx="12" cy="12" r="3"/>',
  database: '<ellipse cx="12" cy="5.5" rx="7" ry="3"/><path d="M5 5.5v13c0 1.7 3.1 3 7 3s7-1.3 7-3v-13M5 12c0 1.7 3.1 3 7 3s7-1.3 7-3"/>',
  cache: '<path d="M13 2L4.5 13.5h6.5L10 22l9-12h-7z"/>',
  queue: '<path d="M4 6h16M4 12h16M4 18h16"/><path d="M17 3l3 3-3 3"/>',
  api: '<path d="M8 4c-2 0-2 2-2 4s-2 4-2 4 2 0 2 4 0 4 2 4M16 4c2 0 2 2 2 4s2 4 2 4-2 0-2 4 0 4-2 4"/>',
  load_balancer: '<circle cx="12" cy="5" r="2.5"/><path d="M12 7.5v4M12 11.5L5 19M12 11.5l7 7.5M12 11.5V19"/>',
  dns_name: '<circle cx="12" cy="12" r="9"/><ellipse cx="12" cy="12" rx="4" ry="9"/><path d="M3 12h18"/>',
  k8s_cluster: '<circle cx="12" cy="12" r="8.5"/><circle cx="12" cy="12" r="2.5"/><path d="M12 3.5v6M12 14.5v6M3.5 12h6M14.5 12h6"/>',
  k8s_namespace: '<rect x="3.5" y="3.5" width="17" height="17" rx="2" stroke-dasharray="3 2"/>',
  k8s_workload: '<path d="M12 3l9 5-9 5-9-5z"/><path d="M3 12.5l9 5 9-5M3 16.5l9 5 9-5"/>',
  pod: '<path d="M12 3l8 4.5v9L12 21l-8-4.5v-9z"/><path d="M12 12l8-4.5M12 12v9M12 12L4 7.5"/>',
  container: '<rect x="3.5" y="6" width="17" height="12" rx="1"/><path d="M7.5 6v12M12 6v12M16.5 6v12"/>',
  host: '<rect x="4" y="3.5" width="16" height="7" rx="1"/><rect x="4" y="13.5" width="16" height="7" rx="1"/><path d="M7.5 7h1M7.5 17h1"/>',
  vm: '<rect x="3.5" y="4" width="17" height="12" rx="1"/><path d="M8 20h8M12 16v4"/>',
  network_device: '<rect x="3" y="8" width="18" height="8" rx="1"/><path d="M7 12h.01M11 12h.01M15 12h2"/>',
  network: '<rect x="9" y="3" width="6" height="5" rx="1"/><rect x="3" y="16" width="6" height="5" rx="1"/><rect x="15" y="16" width="6" height="5" rx="1"/><path d="M12 8v4M6 16v-4h12v4"/>',
  storage: '<ellipse cx="12" cy="6" rx="8" ry="2.5"/><path d="M4 6v12c0 1.4 3.6 2.5 8 2.5s8-1.1 8-2.5V6"/>',
  cloud_resource: '<path d="M7 18a4 4 0 0 1-.5-8 6 6 0 0 1 11.5 1.5A3.5 3.5 0 0 1 17.5 18z"/>',
  team: '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 3.6-6.5 8-6.5s8 2.5 8 6.5"/>',
};

const uri = (body: string, colour: string) =>
  `data:image/svg+xml;utf8,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="${colour}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`)}`;

/** The icon of a class as a data URI (white, for inside a node; another colour for the legend), or null. */
export function classIcon(cls: string, colour = '#ffffff'): string | null {
  const body = PATHS[cls];
  return body ? uri(body, colour) : null;
}

export const iconClasses = Object.keys(PATHS);
