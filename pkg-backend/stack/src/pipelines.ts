/**
 * The quick-start's two starter pipelines, as Alloy config text. Data goes to a local Prometheus
 * (remote write) when one runs, otherwise to the agents' debug outputs (`otelcol.exporter.debug`).
 *
 * The quick start's three agents share one host, so their exporters' series would carry the same
 * `instance` (the host name) and overwrite each other in Prometheus: remote write adds an `agent`
 * external label from the agent's FOUNDRY_AGENT environment variable (host name when unset).
 */

/** Environment variable the stack sets to each agent's name; the pipelines label series with it. */
export const AGENT_NAME_ENV = 'FOUNDRY_AGENT';

export interface StarterPipeline {
  name: string;
  matchers: string[];
  content: string;
  message: string;
}

/** Where the shop agent's OTLP receiver listens (the demo service sends OTLP/HTTP there). */
export interface OtlpListen {
  host: string;
  /** OTLP/gRPC port (4317 by default). */
  grpcPort: number;
  /** OTLP/HTTP port (4318 by default). */
  httpPort: number;
}

/** Where the pipelines send data: a Prometheus remote-write URL, or null for debug outputs. */
export function starterPipelines(remoteWriteUrl: string | null, otlp: OtlpListen): StarterPipeline[] {
  const metricsSink = remoteWriteUrl
    ? `prometheus.remote_write "prometheus" {
  endpoint {
    url = "${remoteWriteUrl}"
  }
  external_labels = {
    agent = coalesce(sys.env("${AGENT_NAME_ENV}"), constants.hostname),
  }
}
`
    : `// No Prometheus: samples are converted to OTLP and printed by the agent's debug exporter.
otelcol.receiver.prometheus "debug" {
  output {
    metrics = [otelcol.exporter.debug.metrics.input]
  }
}

otelcol.exporter.debug "metrics" {
  verbosity = "basic"
}
`;
  const forward = remoteWriteUrl
    ? 'prometheus.remote_write.prometheus.receiver'
    : 'otelcol.receiver.prometheus.debug.receiver';
  return [
    {
      name: 'agent-metrics',
      matchers: [],
      message: 'Scrape every agent and its host',
      content: `// Every agent scrapes its own metrics and its host's (node_exporter's collectors).
prometheus.exporter.self "agent" { }

prometheus.exporter.unix "host" { }

prometheus.scrape "agent" {
  targets         = array.concat(prometheus.exporter.self.agent.targets, prometheus.exporter.unix.host.targets)
  scrape_interval = "15s"
  forward_to      = [${forward}]
}

${metricsSink}`,
    },
    {
      name: 'demo-otlp',
      matchers: ['team="shop"'],
      message: "Receive the demo shop's traces, metrics and logs",
      content: `// OTLP from the demo shop: metrics (and RED metrics from its spans) to ${
        remoteWriteUrl ? 'Prometheus' : 'the debug exporter'
      }, traces and logs to the debug exporter.
otelcol.receiver.otlp "shop" {
  grpc {
    endpoint = "${otlp.host}:${otlp.grpcPort}"
  }

  http {
    endpoint = "${otlp.host}:${otlp.httpPort}"
  }

  output {
    metrics = [otelcol.processor.batch.shop.input]
    traces  = [otelcol.processor.batch.shop.input]
    logs    = [otelcol.processor.batch.shop.input]
  }
}

otelcol.processor.batch "shop" {
  timeout = "2s"

  output {
    metrics = [${remoteWriteUrl ? 'otelcol.exporter.prometheus.shop.input' : 'otelcol.exporter.debug.shop.input'}]
    traces  = [otelcol.connector.spanmetrics.shop.input, otelcol.exporter.debug.shop.input]
    logs    = [otelcol.exporter.debug.shop.input]
  }
}

otelcol.connector.spanmetrics "shop" {
  metrics_flush_interval = "15s"

  histogram {
    explicit { }
  }

  output {
    metrics = [${remoteWriteUrl ? 'otelcol.exporter.prometheus.shop.input' : 'otelcol.exporter.debug.shop.input'}]
  }
}
${
  remoteWriteUrl
    ? `
otelcol.exporter.prometheus "shop" {
  forward_to = [prometheus.remote_write.shop.receiver]
}

prometheus.remote_write "shop" {
  endpoint {
    url = "${remoteWriteUrl}"
  }
  external_labels = {
    agent = coalesce(sys.env("${AGENT_NAME_ENV}"), constants.hostname),
  }
}
`
    : ''
}
otelcol.exporter.debug "shop" {
  verbosity = "basic"
}
`,
    },
  ];
}
