/**
 * Catalogue entries: registrations without `build` whose argument and export schemas follow Alloy 1.18, so
 * configs using them validate (static validator, fleet controller) before the engine implements them.
 */
import type { ComponentRegistration } from '../runtime/component.js';
import { discoveryFile } from './discovery/file.js';
import { discoveryKubernetes } from './discovery/kubernetes.js';
import { discoveryRelabel } from './discovery/relabel.js';
import { localFileMatch } from './local/file_match.js';
import { lokiEcho } from './loki/echo.js';
import { lokiProcess } from './loki/process.js';
import { lokiRelabel } from './loki/relabel.js';
import { lokiSourceApi } from './loki/source/api.js';
import { lokiSourceFile } from './loki/source/file.js';
import { lokiWrite } from './loki/write.js';
import { otelcolAuthBasic } from './otelcol/auth/basic.js';
import { otelcolAuthBearer } from './otelcol/auth/bearer.js';
import { otelcolAuthHeaders } from './otelcol/auth/headers.js';
import { otelcolExporterDebug } from './otelcol/exporter/debug.js';
import { otelcolExporterOtlp } from './otelcol/exporter/otlp.js';
import { otelcolExporterOtlphttp } from './otelcol/exporter/otlphttp.js';
import { otelcolProcessorBatch } from './otelcol/processor/batch.js';
import { otelcolProcessorMemoryLimiter } from './otelcol/processor/memory_limiter.js';
import { otelcolReceiverOtlp } from './otelcol/receiver/otlp.js';
import { otelcolTransformComponents } from './otelcol/catalogue-part.js';
import { prometheusExporterRedis } from './prometheus/exporter/redis.js';
import { prometheusExporterSelf } from './prometheus/exporter/self.js';
import { prometheusExporterUnix } from './prometheus/exporter/unix.js';
import { prometheusReceiveHttp } from './prometheus/receive_http.js';
import { prometheusRelabel } from './prometheus/relabel.js';
import { prometheusRemoteWrite } from './prometheus/remote_write.js';
import { prometheusScrape } from './prometheus/scrape.js';
import { remoteHttp } from './remote/http.js';

export const catalogue: ComponentRegistration[] = [
  remoteHttp,
  localFileMatch,
  lokiSourceFile,
  lokiProcess,
  lokiWrite,
  lokiRelabel,
  lokiEcho,
  lokiSourceApi,
  prometheusScrape,
  prometheusRelabel,
  prometheusRemoteWrite,
  prometheusReceiveHttp,
  prometheusExporterUnix,
  prometheusExporterSelf,
  prometheusExporterRedis,
  discoveryRelabel,
  discoveryKubernetes,
  discoveryFile,
  otelcolReceiverOtlp,
  otelcolProcessorBatch,
  otelcolExporterOtlp,
  otelcolExporterOtlphttp,
  otelcolExporterDebug,
  otelcolAuthHeaders,
  otelcolAuthBasic,
  otelcolAuthBearer,
  otelcolProcessorMemoryLimiter,
  ...otelcolTransformComponents,
];
