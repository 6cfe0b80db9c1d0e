// Message shapes of foundry.fleet.v1 as @grpc/proto-loader decodes them with `loaderOptions`.
// When writing, a oneof is set by giving exactly one of its fields (`{ hello: {...} }`).

export type ApplyStatus =
  | 'APPLY_STATUS_UNSPECIFIED'
  | 'APPLY_STATUS_APPLYING'
  | 'APPLY_STATUS_APPLIED'
  | 'APPLY_STATUS_FAILED'
  | 'APPLY_STATUS_REMOVED';

export interface BuildInfo {
  version: string;
  revision: string;
  runtime: string;
}

export interface RunningPipeline {
  pipelineId: string;
  name: string;
  version: number;
  hash: string;
}

export interface Hello {
  agentId: string;
  name: string;
  localAttributes: Record<string, string>;
  systemAttributes: Record<string, string>;
  build?: BuildInfo | null;
  supportedComponents: string[];
  running: RunningPipeline[];
}

export interface Welcome {
  agentId: string;
  controllerId: string;
  metricsIntervalSeconds: number;
  heartbeatIntervalSeconds: number;
}

export interface DesiredPipeline {
  pipelineId: string;
  name: string;
  version: number;
  /** sha256 hex of content. */
  hash: string;
  content: string;
}

export interface DesiredState {
  pipelines: DesiredPipeline[];
  revision: string;
}

export interface Diagnostic {
  severity: string;
  message: string;
  line: number;
  column: number;
}

export interface PipelineStatus {
  pipelineId: string;
  name: string;
  version: number;
  hash: string;
  status: ApplyStatus;
  error: string;
  diagnostics: Diagnostic[];
}

export interface StatusReport {
  pipelines: PipelineStatus[];
}

export interface ComponentHealth {
  /** Pipeline (module) name; '' for the agent's local config. */
  pipeline: string;
  componentId: string;
  /** healthy | unhealthy | unknown | exited */
  health: string;
  message: string;
  updatedUnixMs: number;
}

export interface HealthReport {
  components: ComponentHealth[];
}

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricsReport {
  timestampUnixMs: number;
  samples: MetricSample[];
}

export interface Heartbeat {
  sentUnixMs: number;
}

/** What an agent writes on the stream: exactly one field set. */
export interface AgentMessage {
  body?: 'hello' | 'status' | 'health' | 'metrics' | 'heartbeat';
  hello?: Hello | null;
  status?: StatusReport | null;
  health?: HealthReport | null;
  metrics?: MetricsReport | null;
  heartbeat?: Heartbeat | null;
}

/** What the controller writes on the stream: exactly one field set. */
export interface ControllerMessage {
  body?: 'welcome' | 'desired' | 'heartbeat';
  welcome?: Welcome | null;
  desired?: DesiredState | null;
  heartbeat?: Heartbeat | null;
}
