import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { connect } from 'node:net';
import { createServer, type Server } from 'node:http';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { answerClientErrors } from '../../server/api/client-errors.ts';

/** Writes `text` on a fresh connection to `port` and reads until the server closes it: status line, headers and body. */
function raw(port: number, text: string, timeoutMs = 5_000): Promise<{ status: number; headers: string; body: any }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d) => { out += d; });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, body] = [out.slice(0, out.indexOf('\r\n\r\n')), out.slice(out.indexOf('\r\n\r\n') + 4)];
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]), headers: head, body: body ? JSON.parse(body) : null });
    });
    socket.write(text);
    setTimeout(() => { socket.destroy(); reject(new Error(`no answer to ${JSON.stringify(text.slice(0, 60))}`)); }, timeoutMs).unref();
  });
}

describe('requests Node refuses before the app sees them are answered in the API\'s error shape', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s.close(); });

  it('431 headers_too_large for headers over Node\'s limit', async () => {
    const r = await raw(s.port, `GET /api/v1/cis HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(r.status).toBe(431);
    expect(r.headers).toMatch(/content-type: application\/json/i);
    expect(r.body.error).toMatchObject({ code: 'headers_too_large', message: expect.stringContaining('16384 bytes'), details: { parserError: 'HPE_HEADER_OVERFLOW' } });
  });

  it.each([
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n'],
    ['an invalid method', 'G@T / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a header name with a space', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'],
    ['a Content-Length that is not a number', 'POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n'],
    ['two Content-Lengths that disagree', 'POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
    ['Content-Length with chunked encoding (smuggling)', 'POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
  ])('400 bad_request for %s', async (_what, text) => {
    const r = await raw(s.port, text);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/^malformed HTTP request: /), details: { parserError: expect.stringMatching(/^HPE_/) } });
  });

  it('a keep-alive connection whose next request is malformed is refused in the same shape after the first answer', async () => {
    const out = await new Promise<string>((resolve) => {
      const socket = connect(s.port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => {
        const first = !text;
        text += d;
        if (first) socket.write('GARBAGE\r\n\r\n');
      });
      socket.on('close', () => resolve(text));
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(out).toMatch(/^HTTP\/1\.1 200 /);
    expect(out).toMatch(/HTTP\/1\.1 400 Bad Request[\s\S]*"code":"bad_request"/);
  });
});

describe('a request not received in time', () => {
  let server: Server;
  beforeAll(async () => {
    // Node's request timeout is 300 s, checked every 30 s: shortened here, the answer is what is under test.
    server = createServer({ requestTimeout: 300, headersTimeout: 200, connectionsCheckingInterval: 50 }, (req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
    answerClientErrors(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

  it('is answered 408 request_timeout in the API\'s error shape', async () => {
    const r = await raw((server.address() as { port: number }).port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"slow":');
    expect(r.status).toBe(408);
    expect(r.body.error).toMatchObject({ code: 'request_timeout', details: { parserError: 'ERR_HTTP_REQUEST_TIMEOUT' } });
  });
});
