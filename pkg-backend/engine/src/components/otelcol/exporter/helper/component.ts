/**
 * The component shell of the OTLP exporters: exports a stable `input` consumer that delegates to the
 * current exporterhelper (helper/exporterhelper.ts) and driver. An update builds a new driver and helper
 * (as Alloy rebuilds the collector exporter) and retires the old pair in the background: its queue drains
 * to the old destination.
 */
import { untilAborted, type Component, type ComponentOptions } from '../../../../runtime/component.js';
import { health, type Health } from '../../../../runtime/health.js';
import { consumerCapsule, type OtelConsumer, type OtelSignal } from '../../consumer.js';
import { collectorId, ExporterTelemetry } from '../../telemetry.js';
import { ExporterHelper, type ExportDriver, type HelperArgs, type Payload } from './exporterhelper.js';

/** A driver plus what it holds open (connections). */
export interface ClosableDriver<P extends Payload> extends ExportDriver<P> {
  close?(): void;
}

export interface Built<P extends Payload> {
  driver: ClosableDriver<P>;
  helper: HelperArgs;
}

const SIGNALS: OtelSignal[] = ['traces', 'metrics', 'logs'];

/** How long a stopping or replaced exporter may keep sending what it queued. */
export const EXPORTER_DRAIN_MS = 10_000;

export class ExporterComponent<A, P extends Payload> implements Component<A> {
  private readonly telemetry: ExporterTelemetry;
  private current: { helper: ExporterHelper<P>; driver: ClosableDriver<P> };
  private readonly retired = new Set<Promise<void>>();
  private status: Health = health('healthy', '');

  /** @throws when `build` rejects the arguments. */
  constructor(
    private readonly opts: ComponentOptions,
    type: string,
    args: A,
    private readonly build: (args: A) => Built<P>,
    private readonly signals: OtelSignal[] = SIGNALS,
  ) {
    this.telemetry = new ExporterTelemetry(opts.registry, collectorId(type, opts.id));
    this.current = this.make(args);
    const input: OtelConsumer = {
      signals: new Set(signals),
      consumeTraces: (req, ctx) => this.current.helper.consumer.consumeTraces!(req, ctx),
      consumeMetrics: (req, ctx) => this.current.helper.consumer.consumeMetrics!(req, ctx),
      consumeLogs: (req, ctx) => this.current.helper.consumer.consumeLogs!(req, ctx),
    };
    opts.onStateChange({ input: consumerCapsule(input) });
  }

  private make(args: A): { helper: ExporterHelper<P>; driver: ClosableDriver<P> } {
    const b = this.build(args);
    return {
      driver: b.driver,
      helper: new ExporterHelper(this.opts, this.telemetry, b.helper, b.driver, this.signals),
    };
  }

  private retire(old: { helper: ExporterHelper<P>; driver: ClosableDriver<P> }): Promise<void> {
    const p = old.helper.stop(EXPORTER_DRAIN_MS).finally(() => old.driver.close?.());
    this.retired.add(p);
    void p.finally(() => this.retired.delete(p));
    return p;
  }

  async run(signal: AbortSignal): Promise<void> {
    await untilAborted(signal);
    await this.retire(this.current);
    await Promise.allSettled([...this.retired]);
  }

  update(args: A): void {
    const next = this.make(args);
    const old = this.current;
    this.current = next;
    void this.retire(old);
  }

  health(): Health {
    return this.status;
  }

  debugInfo(): unknown {
    return { queued: this.current.helper.queued() };
  }
}
