import { z } from 'zod';
import { describeOperation } from './openapi.ts';
import { IngestBatch, IngestResult, DryRunResult } from '../model/ingest.ts';
import { CiDetail, CiRecord, DiffResult, GraphResult, TokenInfo } from '../model/records.ts';
import { ListCisQuery } from './routes/cis.ts';
import { GraphQuery } from './routes/graph.ts';
import { DiffQuery } from './routes/diff.ts';
import { CreateTokenBody } from './routes/tokens.ts';

/** The foundation's operations; feature modules describe theirs beside their routes. */
export function describeFoundationOperations(): void {
  describeOperation({ method: 'get', path: '/healthz', summary: 'Liveness and store status', role: 'none' });
  describeOperation({ method: 'post', path: '/api/v1/tokens', summary: 'Create an API token', role: 'admin', body: CreateTokenBody, status: 201, response: TokenInfo.extend({ token: z.string() }) });
  describeOperation({ method: 'post', path: '/api/v1/ingest', summary: 'Ingest one batch of CIs and relations (one transaction); ?dryRun=true identifies without writing; an Idempotency-Key header applies a retried batch once (the replay answers the stored reply with Idempotent-Replayed: true)', role: 'collector', body: IngestBatch, response: z.union([IngestResult, DryRunResult]) });
  describeOperation({ method: 'get', path: '/api/v1/cis', summary: 'List and search CIs (cursor pagination)', role: 'viewer', query: ListCisQuery, response: z.object({ items: z.array(CiRecord), nextCursor: z.string().nullable() }) });
  describeOperation({ method: 'get', path: '/api/v1/cis/:id', summary: 'One CI with sources, relations and history', role: 'viewer', response: CiDetail });
  describeOperation({ method: 'get', path: '/api/v1/graph', summary: 'Neighbourhood of focus CIs for the map, grouped over a threshold', role: 'viewer', query: GraphQuery, response: GraphResult });
  describeOperation({ method: 'get', path: '/api/v1/diff', summary: 'What appeared, vanished and changed between two instants', role: 'viewer', query: DiffQuery, response: DiffResult });
  describeOperation({ method: 'get', path: '/api/v1/openapi.json', summary: 'This document', role: 'viewer' });
}
