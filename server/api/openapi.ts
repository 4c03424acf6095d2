import { z } from 'zod';
import { ErrorBody, type Role } from '../model/records.ts';

/** One HTTP operation as the OpenAPI document (and the fuzz suite) sees it; `path` is the full path. */
export interface Operation {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  summary: string;
  role: Role | 'none';
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  /** The handler reads its JSON body itself: `req.body` is the raw Buffer (json-body.ts, rawJsonBodyReader). Not documented. */
  rawBody?: boolean;
  /** false: served at once, without waiting for the projection to catch up with this process's writes (ingest itself). Not documented. */
  catchUp?: boolean;
  /**
   * A write that goes first (ingest): once its caller is allowed, and until its reply went out, the read gate starts
   * no new read (read-gate.ts, `hold`), and its time on the server is answered as a Server-Timing header. Not documented.
   */
  writeFirst?: boolean;
}

const schemaOf = (s: z.ZodType, io: 'input' | 'output') => {
  try {
    return z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'openapi-3.0' });
  } catch {
    return {};
  }
};

function queryParams(s: z.ZodType) {
  const json = schemaOf(s, 'input') as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name, in: 'query', required: json.required?.includes(name) ?? false, schema,
  }));
}

/** The document of exactly the operations the app mounted (each route module lists its own). */
export function openApiDocument(version: string, operations: readonly Operation[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of [...operations].sort((a, b) => a.path.localeCompare(b.path))) {
    const path = op.path.replace(/:(\w+)/g, '{$1}');
    const params = [...(op.path.match(/:(\w+)/g) ?? []).map((p) => ({ name: p.slice(1), in: 'path', required: true, schema: { type: 'string' } })), ...(op.query ? queryParams(op.query) : [])];
    paths[path] ??= {};
    paths[path][op.method] = {
      summary: op.summary,
      description: `Role: ${op.role}.`,
      ...(params.length ? { parameters: params } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.body, 'input') } } } } : {}),
      responses: {
        [String(op.status ?? 200)]: { description: 'OK', ...(op.response ? { content: { 'application/json': { schema: schemaOf(op.response, 'output') } } } : {}) },
        default: { description: 'Error', content: { 'application/json': { schema: schemaOf(ErrorBody, 'output') } } },
      },
      security: op.role === 'none' ? [] : [{ bearer: [] }],
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'servicegraph API', version, description: 'CMDB and dependency mapping: ingest, read, impact analysis.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
