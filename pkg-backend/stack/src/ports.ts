/** The stack's loopback ports: the defaults of docs/ARCHITECTURE.md, all shifted by one offset. */
export interface StackPorts {
  /** Controller REST API and fleet metrics. */
  controller: number;
  /** Controller gRPC (agents' fleet stream). */
  grpc: number;
  /** Embedded PostgreSQL (unused with DATABASE_URL). */
  postgres: number;
  /** Standalone plugin host (the Fleet app). */
  host: number;
  /** Prometheus, when installed. */
  prometheus: number;
  /** HTTP servers of agent-dev, agent-prod and agent-shop. */
  agents: [number, number, number];
  /** OTLP/gRPC and OTLP/HTTP receivers on agent-shop. */
  otlpGrpc: number;
  otlpHttp: number;
}

/** Largest FOUNDRY_PORT_OFFSET: keeps every port below 65536. */
export const MAX_PORT_OFFSET = 50_000;

/** Ports shifted by `offset` (FOUNDRY_PORT_OFFSET). @throws Error unless 0 ≤ offset ≤ MAX_PORT_OFFSET. */
export function stackPorts(offset = 0): StackPorts {
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_PORT_OFFSET)
    throw new Error(`port offset ${offset}: want an integer 0…${MAX_PORT_OFFSET}`);
  return {
    controller: 8420 + offset,
    grpc: 8421 + offset,
    postgres: 8432 + offset,
    host: 3000 + offset,
    prometheus: 9090 + offset,
    agents: [12345 + offset, 12346 + offset, 12347 + offset],
    otlpGrpc: 4317 + offset,
    otlpHttp: 4318 + offset,
  };
}

/** Every port of `ports` with what uses it. */
export function namedPorts(ports: StackPorts): [name: string, port: number][] {
  return [
    ['controller REST', ports.controller],
    ['controller gRPC', ports.grpc],
    ['embedded PostgreSQL', ports.postgres],
    ['plugin host', ports.host],
    ['Prometheus', ports.prometheus],
    ['agent-dev', ports.agents[0]],
    ['agent-prod', ports.agents[1]],
    ['agent-shop', ports.agents[2]],
    ['OTLP/gRPC', ports.otlpGrpc],
    ['OTLP/HTTP', ports.otlpHttp],
  ];
}

/** Every port of `ports`, flat. */
export function allPorts(ports: StackPorts): number[] {
  return namedPorts(ports).map(([, port]) => port);
}
