/**
 * Encoding and decoding of `collector.v1` messages (pkg-backend/proto/proto/collector/v1/collector.proto)
 * in the two codecs a Connect client may use: binary protobuf (`application/proto`, what Alloy's
 * connect-go client sends) and the protobuf JSON mapping (`application/json`). Decoded messages are
 * plain objects with camelCase fields, every scalar present (proto3 defaults), enums as their names,
 * bytes as Buffers and absent sub-messages as undefined.
 */
import { join } from 'node:path';
import { protoRoot } from '@foundry/proto';
import protobuf from 'protobufjs';
import { ConnectError } from './connect-http.js';

export type Codec = 'proto' | 'json';

export type RemoteConfigStatusName =
  | 'RemoteConfigStatuses_UNSET'
  | 'RemoteConfigStatuses_APPLIED'
  | 'RemoteConfigStatuses_APPLYING'
  | 'RemoteConfigStatuses_FAILED';

export interface RemoteConfigStatus {
  status: RemoteConfigStatusName;
  errorMessage: string;
}

export interface EffectiveConfig {
  configMap?: { configMap: Record<string, { body: Buffer; contentType: string }> };
}

export interface GetConfigRequest {
  id: string;
  /** Deprecated by local_attributes; sent by older Alloy versions. */
  attributes: Record<string, string>;
  hash: string;
  localAttributes: Record<string, string>;
  remoteConfigStatus?: RemoteConfigStatus;
  effectiveConfig?: EffectiveConfig;
}

export interface GetConfigResponse {
  content: string;
  hash: string;
  notModified: boolean;
}

export interface RegisterCollectorRequest {
  id: string;
  attributes: Record<string, string>;
  name: string;
  localAttributes: Record<string, string>;
}

export interface UnregisterCollectorRequest {
  id: string;
}

/** Requests and responses of each method of `collector.v1.CollectorService`. */
export interface CollectorMethods {
  GetConfig: { request: GetConfigRequest; response: GetConfigResponse };
  RegisterCollector: { request: RegisterCollectorRequest; response: Record<string, never> };
  UnregisterCollector: { request: UnregisterCollectorRequest; response: Record<string, never> };
}
export type CollectorMethod = keyof CollectorMethods;

/** Path of collector.proto. */
export const collectorProtoPath = join(protoRoot, 'collector', 'v1', 'collector.proto');

interface MethodTypes {
  request: protobuf.Type;
  response: protobuf.Type;
}

let methods: Map<string, MethodTypes> | undefined;

/** The service's methods and their message types, loaded from collector.proto once. */
function loadMethods(): Map<string, MethodTypes> {
  if (!methods) {
    const root = protobuf.loadSync(collectorProtoPath).resolveAll();
    const service = root.lookupService('collector.v1.CollectorService');
    const m = new Map<string, MethodTypes>();
    for (const [name, method] of Object.entries(service.methods)) {
      m.set(name, {
        request: root.lookupType(method.resolvedRequestType?.fullName ?? method.requestType),
        response: root.lookupType(method.resolvedResponseType?.fullName ?? method.responseType),
      });
    }
    methods = m;
  }
  return methods;
}

/** Whether `name` is a method of CollectorService. */
export function isCollectorMethod(name: string): name is CollectorMethod {
  return loadMethods().has(name);
}

/** The codec of a unary Connect request's Content-Type, or undefined when it is not supported. */
export function codecOf(contentType: string | undefined): Codec | undefined {
  const [type, ...params] = (contentType ?? '').toLowerCase().split(';');
  const charset = params.map((p) => p.trim()).find((p) => p.startsWith('charset='));
  if (charset && !/^charset="?utf-8"?$/.test(charset)) return undefined;
  switch (type!.trim()) {
    case 'application/proto':
      return 'proto';
    case 'application/json':
      return 'json';
    default:
      return undefined;
  }
}

/** Content-Type of a codec's messages. */
export function contentTypeOf(codec: Codec): string {
  return codec === 'proto' ? 'application/proto' : 'application/json';
}

const TO_OBJECT: protobuf.IConversionOptions = {
  enums: String,
  longs: String,
  defaults: true,
  arrays: true,
  objects: true,
};

/** Sub-messages that toObject reports as null when absent become undefined. */
function dropNulls(o: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(o)) {
    if (v === null) delete o[k];
    else if (v && typeof v === 'object' && !Buffer.isBuffer(v) && !(v instanceof Uint8Array))
      dropNulls(v as Record<string, unknown>);
    else if (v instanceof Uint8Array && !Buffer.isBuffer(v))
      o[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }
  return o;
}

/** snake_case of a camelCase field name (protobufjs keeps fields as camelCase). */
function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function invalid(path: string, what: string): ConnectError {
  return new ConnectError('invalid_argument', `invalid JSON message: ${path}: ${what}`);
}

/** One value of a scalar, enum or message field from the protobuf JSON mapping. */
function valueFromJson(field: protobuf.FieldBase, v: unknown, path: string): unknown {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) return messageFromJson(t, v, path);
  if (t instanceof protobuf.Enum) {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string') return t.values[v] ?? 0; // unknown names are discarded, as connect-go does
    throw invalid(path, 'expected an enum name or number');
  }
  switch (field.type) {
    case 'string':
      if (typeof v !== 'string') throw invalid(path, 'expected a string');
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw invalid(path, 'expected true or false');
      return v;
    case 'bytes':
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(v))
        throw invalid(path, 'expected base64');
      return Buffer.from(v, 'base64');
    default:
      throw invalid(path, `field type ${field.type} is not supported`);
  }
}

/**
 * A message from its protobuf JSON form, as protobufjs' fromObject expects it. Fields may be named in
 * lowerCamelCase (the JSON name) or as in the .proto; unknown fields and nulls are ignored.
 */
function messageFromJson(type: protobuf.Type, value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid(path, 'expected an object');
  const byName = new Map<string, protobuf.Field>();
  for (const f of type.fieldsArray) {
    byName.set(f.name, f);
    byName.set(snake(f.name), f);
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = byName.get(key);
    if (!field || v === null) continue;
    const at = `${path}.${key}`;
    if (field.map) {
      if (typeof v !== 'object' || Array.isArray(v)) throw invalid(at, 'expected an object');
      const map: Record<string, unknown> = {};
      for (const [k, mv] of Object.entries(v as Record<string, unknown>))
        map[k] = valueFromJson(field, mv, `${at}[${JSON.stringify(k)}]`);
      out[field.name] = map;
    } else if (field.repeated) {
      if (!Array.isArray(v)) throw invalid(at, 'expected an array');
      out[field.name] = v.map((e, i) => valueFromJson(field, e, `${at}[${i}]`));
    } else {
      out[field.name] = valueFromJson(field, v, at);
    }
  }
  return out;
}

/**
 * Decodes a request body. @throws ConnectError invalid_argument when it is not a valid message.
 */
export function decodeRequest<M extends CollectorMethod>(
  method: M,
  codec: Codec,
  body: Buffer,
): CollectorMethods[M]['request'] {
  const type = loadMethods().get(method)!.request;
  let message: protobuf.Message;
  if (codec === 'proto') {
    try {
      message = type.decode(body);
    } catch (err) {
      throw new ConnectError(
        'invalid_argument',
        `invalid ${type.name} (binary protobuf): ${(err as Error).message}`,
      );
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new ConnectError('invalid_argument', `invalid JSON: ${(err as Error).message}`);
    }
    message = type.fromObject(messageFromJson(type, parsed, type.name));
  }
  return dropNulls(type.toObject(message, TO_OBJECT)) as unknown as CollectorMethods[M]['request'];
}

/** A response without its default-valued fields (proto3 JSON leaves them out). */
function withoutDefaults(msg: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(msg)) {
    if (v === '' || v === false || v === 0 || v === undefined || v === null) continue;
    out[k] = v;
  }
  return out;
}

/** Encodes a response message in the request's codec. */
export function encodeResponse<M extends CollectorMethod>(
  method: M,
  codec: Codec,
  msg: CollectorMethods[M]['response'],
): Buffer {
  const type = loadMethods().get(method)!.response;
  const plain = withoutDefaults(msg);
  if (codec === 'json') return Buffer.from(JSON.stringify(plain), 'utf8');
  const bytes = type.encode(type.fromObject(plain)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
