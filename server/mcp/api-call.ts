/** One request to the servicegraph REST API, as the MCP tools make it. */
export interface ApiRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}
export interface ApiAnswer { status: number; body: any }
/** How the MCP tools reach the API: always its HTTP edge, so auth, validation and limits are the same. */
export type ApiCall = (req: ApiRequest) => Promise<ApiAnswer>;

/** The API's own error, carried to the agent with the same code and message a REST client would see. */
export class ApiCallError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) { super(message); }
}

function urlOf(req: ApiRequest): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return req.path + (qs ? `?${qs}` : '');
}

/** Throws the API's error for any non-2xx answer, so every tool reports failures the same way. */
export function expectOk(answer: ApiAnswer): any {
  if (answer.status >= 200 && answer.status < 300) return answer.body;
  const e = answer.body?.error;
  throw new ApiCallError(answer.status, e?.code ?? 'http_' + answer.status, e?.message ?? `the API answered ${answer.status}`, e?.details);
}

/** Calls a servicegraph server over HTTP with a bearer token (the `servicegraph mcp` stdio command). */
export function httpApi(server: string, token: string, timeoutMs = 60_000): ApiCall {
  const base = server.replace(/\/$/, '');
  return async (req) => {
    let res: Response;
    try {
      res = await fetch(base + urlOf(req), {
        method: req.method,
        headers: { authorization: `Bearer ${token}`, ...(req.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new ApiCallError(503, 'unreachable', `cannot reach ${base}: ${(e as Error).message}`);
    }
    const text = await res.text();
    let body: unknown = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = { error: { code: 'bad_reply', message: text.slice(0, 200) } }; }
    return { status: res.status, body };
  };
}
