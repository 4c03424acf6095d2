/**
 * Whether a configuration value is a health-check address: a status page or an aggregator polling
 * `http://basket-api/hc` does not need basket-api to work (if it fails, the poller reports it and
 * carries on), so such evidence makes a MONITORS relation, not a dependency.
 *
 * Recognised by the key (`BasketUrlHC`, `IDENTITY_URL_HC`, `HealthChecksUI__HealthChecks__0__Uri`,
 * `healthcheck_url`) or by a URL whose path is a health endpoint (`/hc`, `/health`, `/healthz`,
 * `/ready`, `/readyz`, `/live`, `/livez`, `/liveness`, `/readiness`, also under a prefix such as
 * `/actuator/health` or `/health/ready`).
 */
const HEALTH_SEGMENTS = new Set(['hc', 'health', 'healthz', 'healthcheck', 'ready', 'readyz', 'readiness', 'live', 'livez', 'liveness']);
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s,;"'<>]+/gi;

export function isHealthCheckKey(key: string): boolean {
  // `HC` must be upper case after a lower-case letter or digit (`UrlHC`), so `Dhcp` or `ETHC` do not count.
  return /(?:[a-z0-9]HC|_HC|_hc)$/.test(key) || /health[_-]?checks?/i.test(key);
}

/** A URL whose path names a health endpoint. */
export function isHealthCheckUrl(url: string): boolean {
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url)?.[1] ?? '';
  return path.split('/').some((seg) => HEALTH_SEGMENTS.has(seg.toLowerCase()));
}

/** The key says so, or every URL the value holds is a health endpoint (and it holds at least one). */
export function isHealthCheck(key: string, value: string): boolean {
  if (isHealthCheckKey(key)) return true;
  const urls = value.match(URL_IN_TEXT) ?? [];
  return urls.length > 0 && urls.every(isHealthCheckUrl);
}
