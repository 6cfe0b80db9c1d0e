/**
 * OTLP wire codec: the data model (`types.ts`), protobuf encode/decode for the three export requests and
 * responses (`encode.ts`, `decode.ts`) and the OTLP/JSON mapping (`json.ts`).
 */
export * from './types.js';
export * from './encode.js';
export * from './decode.js';
export * from './json.js';
export * from './lazy.js';
export * from './rpc-status.js';
