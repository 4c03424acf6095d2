import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import { status } from '@grpc/grpc-js';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { freePort } from '../helpers/child-server.ts';
import { TRACE_EXPORT_PATH } from '../../server/otlp/otlp-proto.ts';

/**
 * OTLP/gRPC's caller is checked before its message is read, as on HTTP: a client announces a message of 1 MiB, sends
 * its first bytes and waits. A refused caller is answered at once; an allowed one is answered only once it has sent
 * the whole message (the server was reading it). Spoken as raw HTTP/2, which is what grpc-js serves.
 */
describe('OTLP/gRPC: authentication before the message', () => {
  let s: TestServer;
  let port: number;
  let session: ClientHttp2Session;
  beforeAll(async () => {
    port = await freePort();
    s = await startTestServer({ config: { otlpGrpcPort: port } });
    session = connect(`http://127.0.0.1:${port}`);
  });
  afterAll(async () => { session?.close(); await s?.close(); });

  const ANNOUNCED = 1024 * 1024;
  /** Opens an Export call with this authorization, sends the length-prefixed message's first 1 KiB; the rest on `finish()`. */
  function partialCall(authorization: string | null) {
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST', [constants.HTTP2_HEADER_PATH]: TRACE_EXPORT_PATH,
      'content-type': 'application/grpc', te: 'trailers', ...(authorization ? { authorization } : {}),
    });
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(ANNOUNCED, 1);
    stream.write(Buffer.concat([prefix, Buffer.alloc(1024)]));
    // The answer's grpc-status: in the headers of a trailers-only answer, or in the trailers.
    const answered = new Promise<{ code: number; message: string }>((resolve) => {
      const take = (h: Record<string, unknown>) => { if (h['grpc-status'] !== undefined) resolve({ code: Number(h['grpc-status']), message: decodeURIComponent(String(h['grpc-message'] ?? '')) }); };
      stream.on('response', take);
      stream.on('trailers', take);
      stream.resume();
    });
    // An all-zero message is an empty ExportTraceServiceRequest as far as protobuf goes: field 0 is invalid, so the
    // server answers INVALID_ARGUMENT once it has read it all.
    return { answered, finish: () => stream.end(Buffer.alloc(ANNOUNCED - 1024)), cancel: () => stream.close() };
  }
  const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'no answer'>((r) => setTimeout(() => r('no answer'), ms))]);

  it.each([
    ['no token', null, status.UNAUTHENTICATED],
    ['an unknown token', 'Bearer sg_not_a_token', status.UNAUTHENTICATED],
    ['a viewer token', 'viewer', status.PERMISSION_DENIED],
  ])('a call with %s is refused without its message being read', async (_what, auth, code) => {
    const authorization = auth === 'viewer' ? `Bearer ${await s.tokenFor('viewer')}` : auth;
    const call = partialCall(authorization);
    expect(await within(call.answered, 3_000)).toMatchObject({ code });
    call.cancel();
  });

  it('a collector\'s call is read to its end before it is answered', async () => {
    const call = partialCall(`Bearer ${await s.tokenFor('collector')}`);
    expect(await within(call.answered, 500)).toBe('no answer');
    call.finish();
    const answer = await within(call.answered, 3_000);
    expect(answer).not.toBe('no answer');
    expect((answer as { code: number }).code).not.toBe(status.UNAUTHENTICATED);
  });
});
