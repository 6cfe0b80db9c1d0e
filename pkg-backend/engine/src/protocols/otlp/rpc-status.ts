/**
 * `google.rpc.Status` (1 code int32; 2 message string; 3 rep details Any{1 type_url; 2 value}) and
 * `google.rpc.RetryInfo` (1 retry_delay Duration{1 seconds int64; 2 nanos int32}): the body of OTLP/HTTP
 * error responses (protobuf or JSON, in the request's encoding) and the `grpc-status-details-bin` trailer
 * of gRPC errors (docs/reference/protocols.md §2.4).
 */
import { ProtoReader } from '../remote-write-proto.js';

export const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

export interface RpcStatus {
  code: number;
  message: string;
  details: { typeUrl: string; value: Uint8Array }[];
}

/** gRPC status codes (protocols.md §5.1). */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

function varint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function lenField(out: number[], field: number, bytes: Uint8Array | number[]): void {
  varint(out, (field << 3) | 2);
  varint(out, bytes.length);
  for (const b of bytes) out.push(b);
}

/** Encodes a Status (negative codes are not used by gRPC; `code` is written as a varint). */
export function encodeRpcStatus(s: RpcStatus): Uint8Array {
  const out: number[] = [];
  if (s.code !== 0) {
    varint(out, 1 << 3);
    varint(out, s.code);
  }
  if (s.message) lenField(out, 2, Buffer.from(s.message, 'utf8'));
  for (const d of s.details) {
    const any: number[] = [];
    lenField(any, 1, Buffer.from(d.typeUrl, 'utf8'));
    lenField(any, 2, d.value);
    lenField(out, 3, any);
  }
  return Uint8Array.from(out);
}

/** Decodes a Status; tolerant (returns what it could read). */
export function decodeRpcStatus(buf: Uint8Array): RpcStatus {
  const s: RpcStatus = { code: 0, message: '', details: [] };
  try {
    const r = new ProtoReader(buf);
    while (!r.done()) {
      const t = r.varint();
      const f = t >>> 3;
      if (f === 1 && (t & 7) === 0) s.code = r.int64() | 0;
      else if (f === 2 && (t & 7) === 2) s.message = r.string();
      else if (f === 3 && (t & 7) === 2) {
        const e = r.enter();
        const outer = r.end;
        r.end = e;
        const d = { typeUrl: '', value: new Uint8Array(0) };
        while (!r.done()) {
          const t2 = r.varint();
          if (t2 >>> 3 === 1 && (t2 & 7) === 2) d.typeUrl = r.string();
          else if (t2 >>> 3 === 2 && (t2 & 7) === 2) {
            const [a, b] = r.delimited();
            d.value = buf.slice(a, b);
          } else r.skip(t2 & 7);
        }
        r.pos = e;
        r.end = outer;
        s.details.push(d);
      } else r.skip(t & 7);
    }
  } catch {
    // keep what was read
  }
  return s;
}

/** The OTLP/JSON form of a Status (`details` are left out: an Any needs its JSON mapping). */
export function encodeRpcStatusJson(s: RpcStatus): string {
  return JSON.stringify({ code: s.code, message: s.message });
}

export function decodeRpcStatusJson(text: string): RpcStatus {
  try {
    const o = JSON.parse(text) as { code?: unknown; message?: unknown };
    return { code: Number(o.code ?? 0) | 0, message: String(o.message ?? ''), details: [] };
  } catch {
    return { code: 0, message: text, details: [] };
  }
}

/** A RetryInfo detail asking to wait `seconds`. */
export function retryInfoDetail(seconds: number): { typeUrl: string; value: Uint8Array } {
  const whole = Math.floor(seconds);
  const nanos = Math.round((seconds - whole) * 1e9);
  const dur: number[] = [];
  if (whole) {
    varint(dur, 1 << 3);
    varint(dur, whole);
  }
  if (nanos) {
    varint(dur, 2 << 3);
    varint(dur, nanos);
  }
  const out: number[] = [];
  lenField(out, 1, dur);
  return { typeUrl: RETRY_INFO_TYPE, value: Uint8Array.from(out) };
}

/** The RetryInfo delay of a status in milliseconds, or undefined when it carries none. */
export function retryDelayMs(s: RpcStatus): number | undefined {
  for (const d of s.details) {
    if (d.typeUrl !== RETRY_INFO_TYPE) continue;
    let ms = 0;
    try {
      const r = new ProtoReader(d.value);
      while (!r.done()) {
        const t = r.varint();
        if (t >>> 3 === 1 && (t & 7) === 2) {
          const e = r.enter();
          const outer = r.end;
          r.end = e;
          while (!r.done()) {
            const t2 = r.varint();
            if (t2 >>> 3 === 1 && (t2 & 7) === 0) ms += r.int64() * 1000;
            else if (t2 >>> 3 === 2 && (t2 & 7) === 0) ms += (r.int64() | 0) / 1e6;
            else r.skip(t2 & 7);
          }
          r.pos = e;
          r.end = outer;
        } else r.skip(t & 7);
      }
    } catch {
      // malformed: treat as no delay
    }
    return ms;
  }
  return undefined;
}

/** HTTP status for a gRPC code (the collector's `GetHTTPStatusCodeFromStatus`). */
export function httpStatusForGrpcCode(code: number): number {
  switch (code) {
    case GrpcCode.CANCELLED:
    case GrpcCode.DEADLINE_EXCEEDED:
    case GrpcCode.ABORTED:
    case GrpcCode.OUT_OF_RANGE:
    case GrpcCode.UNAVAILABLE:
    case GrpcCode.DATA_LOSS:
      return 503;
    case GrpcCode.RESOURCE_EXHAUSTED:
      return 429;
    case GrpcCode.INVALID_ARGUMENT:
      return 400;
    case GrpcCode.UNAUTHENTICATED:
      return 401;
    case GrpcCode.PERMISSION_DENIED:
      return 403;
    case GrpcCode.UNIMPLEMENTED:
      return 404;
    default:
      return 500;
  }
}

/** gRPC code for an HTTP status (the collector's `NewStatusFromMsgAndHTTPCode`). */
export function grpcCodeForHttpStatus(status: number): number {
  switch (status) {
    case 400:
      return GrpcCode.INVALID_ARGUMENT;
    case 401:
      return GrpcCode.UNAUTHENTICATED;
    case 403:
      return GrpcCode.PERMISSION_DENIED;
    case 404:
      return GrpcCode.UNIMPLEMENTED;
    case 429:
      return GrpcCode.RESOURCE_EXHAUSTED;
    case 502:
    case 503:
    case 504:
      return GrpcCode.UNAVAILABLE;
    default:
      return GrpcCode.UNKNOWN;
  }
}

/**
 * Whether an OTLP exporter retries a gRPC code (the collector otlpexporter's `shouldRetry`):
 * RESOURCE_EXHAUSTED only with RetryInfo.
 */
export function grpcCodeRetryable(code: number, hasRetryInfo: boolean): boolean {
  switch (code) {
    case GrpcCode.CANCELLED:
    case GrpcCode.DEADLINE_EXCEEDED:
    case GrpcCode.ABORTED:
    case GrpcCode.OUT_OF_RANGE:
    case GrpcCode.UNAVAILABLE:
    case GrpcCode.DATA_LOSS:
      return true;
    case GrpcCode.RESOURCE_EXHAUSTED:
      return hasRetryInfo;
    default:
      return false;
  }
}
