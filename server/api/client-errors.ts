import { maxHeaderSize, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

interface ClientError extends Error { code?: string; reason?: string }

/** What a request Node's HTTP parser refused before Express saw it is answered: status, code and message. */
function answerOf(err: ClientError): [status: number, code: string, message: string] | null {
  if (err.code === 'HPE_HEADER_OVERFLOW') return [431, 'headers_too_large', `the request's headers exceed ${maxHeaderSize} bytes`];
  if (err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return [413, 'too_large', 'a chunk\'s extensions are too large'];
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'request_timeout', 'the request was not received in time'];
  if (err.code?.startsWith('HPE_')) return [400, 'bad_request', `malformed HTTP request: ${err.reason ?? err.message}`];
  return null;
}

/**
 * Requests Node refuses itself (headers too large, a malformed request line or header, a request not received in
 * time) are answered in the API's error shape, `{error: {code, message, details}}` with the same status Node gives,
 * where Node answered an empty `400 Bad Request`: a client's error handling reads one shape for every refusal.
 * Only while nothing of a response has gone out on the connection (as Node's own answer); otherwise, or for a
 * connection reset, the socket is destroyed.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: ClientError, socket: Duplex & { _httpMessage?: { headersSent?: boolean } | null }) => {
    const answer = answerOf(err);
    // As Node: never into a response already under way on this connection (the peer would read a corrupt one).
    if (!answer || !socket.writable || socket._httpMessage?.headersSent) { socket.destroy(); return; }
    const [status, code, message] = answer;
    const body = JSON.stringify({ error: { code, message, details: { parserError: err.code } } });
    const reason = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 431: 'Request Header Fields Too Large' }[status];
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
