/**
 * The fleet protocol's service definition (loaded from `proto/foundry/fleet/v1/fleet.proto` with
 * @grpc/proto-loader) and the TypeScript shapes of its messages as proto-loader presents them:
 * camelCase fields, enums as their names, int64 as number, defaults filled, oneofs named by `body`.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

export * from './messages.js';

/** Folder holding the `.proto` files (include path for loaders). */
export const protoRoot = fileURLToPath(new URL('../proto', import.meta.url));
/** Path of fleet.proto. */
export const fleetProtoPath = fileURLToPath(
  new URL('../proto/foundry/fleet/v1/fleet.proto', import.meta.url),
);

/** proto-loader options every Foundry process uses, so both ends see the same shapes. */
export const loaderOptions: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [protoRoot],
};

let cached: grpc.ServiceDefinition | undefined;
let cachedClient: grpc.ServiceClientConstructor | undefined;

function load(): grpc.GrpcObject {
  const def = protoLoader.loadSync(fleetProtoPath, loaderOptions);
  return grpc.loadPackageDefinition(def);
}

/** `foundry.fleet.v1.FleetService` as a grpc-js service definition (for `server.addService`). */
export function fleetServiceDefinition(): grpc.ServiceDefinition {
  cached ??= fleetServiceClient().service;
  return cached;
}

/** Client constructor of `foundry.fleet.v1.FleetService` (`new Client(address, credentials, options)`). */
export function fleetServiceClient(): grpc.ServiceClientConstructor {
  if (!cachedClient) {
    const pkg = load() as any;
    cachedClient = pkg.foundry.fleet.v1.FleetService as grpc.ServiceClientConstructor;
  }
  return cachedClient;
}

/** Full method path of the Connect RPC. */
export const CONNECT_METHOD = '/foundry.fleet.v1.FleetService/Connect';
