import protobuf from 'protobufjs';

/**
 * google.rpc.Status, the body OTLP/HTTP asks for on a 4xx/5xx answer to a protobuf request:
 * `code` (a gRPC status code) and `message`, declared through protobuf.js's reflection.
 */
const Status = new protobuf.Type('Status')
  .add(new protobuf.Field('code', 1, 'int32'))
  .add(new protobuf.Field('message', 2, 'string'));
new protobuf.Root().define('google.rpc').add(Status);

export function encodeStatus(code: number, message: string): Buffer {
  return Buffer.from(Status.encode(Status.create({ code, message })).finish());
}

export function decodeStatus(body: Uint8Array): { code: number; message: string } {
  return Status.toObject(Status.decode(body), { defaults: true }) as { code: number; message: string };
}

/** gRPC status codes (the same numbers grpc-js and every gRPC library use) for an HTTP status. */
export function grpcCodeOf(httpStatus: number): number {
  switch (httpStatus) {
    case 400: return 3; // INVALID_ARGUMENT
    case 401: return 16; // UNAUTHENTICATED
    case 403: return 7; // PERMISSION_DENIED
    case 404: return 5; // NOT_FOUND
    case 413: return 8; // RESOURCE_EXHAUSTED
    case 415: return 3;
    case 429: return 8;
    case 503: return 14; // UNAVAILABLE
    default: return httpStatus >= 500 ? 13 : 3; // INTERNAL : INVALID_ARGUMENT
  }
}
