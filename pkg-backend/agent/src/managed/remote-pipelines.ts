/**
 * Applies the controller's desired pipelines to the engine, each as an isolated module named after the
 * pipeline, and keeps their last-good copies on disk.
 *
 * A new version is checked statically first, then loaded with `Engine.loadModule`. A version that fails
 * either way is reported FAILED and the version that ran before keeps running: the engine itself rejects
 * syntax and structural errors without touching the running module, and a version that was committed
 * but failed to evaluate (for example a component that could not be built) is rolled back by loading the
 * previous content again (or removing the module when there was none).
 */
import {
  DiagnosticError,
  type Diagnostic as EngineDiagnostic,
  type Engine,
  type Logger,
  type SourceText,
} from '@foundry/engine';
import type { DesiredPipeline, DesiredState, Diagnostic, PipelineStatus } from '@foundry/proto';
import type { LastGoodStore, PipelineState } from './last-good-store.js';
import type { ManagedMetrics } from './managed-metrics.js';

/** Static validation of a pipeline's sources (errors and warnings). */
export type Validate = (sources: SourceText[]) => EngineDiagnostic[];

interface Running extends PipelineState {
  content: string;
}

interface Failure {
  pipelineId: string;
  name: string;
  version: number;
  hash: string;
  error: string;
  diagnostics: Diagnostic[];
}

/** One pipeline as `GET /api/v0/remote` shows it. */
export interface RemotePipelineView {
  pipelineId: string;
  name: string;
  /** Version and hash that run now (null when nothing runs, e.g. the first version failed). */
  version: number | null;
  hash: string | null;
  /** applied: the desired version runs; failed: the last attempt failed (`error`, `failedVersion`). */
  status: 'applied' | 'failed';
  error?: string;
  failedVersion?: number;
}

/** The file name a pipeline's content gets in diagnostics (`<name>.alloy`). */
export function pipelineFilename(name: string): string {
  return `${name}.alloy`;
}

/** Engine diagnostics as the protocol's: severity, message, 1-based start line and column in the content. */
export function toProtoDiagnostics(diags: readonly EngineDiagnostic[]): Diagnostic[] {
  return diags.map((d) => ({
    severity: d.severity,
    message: d.message,
    line: Math.max(0, d.start.line),
    column: Math.max(0, d.start.column),
  }));
}

export class RemotePipelines {
  private readonly running = new Map<string, Running>();
  private readonly failures = new Map<string, Failure>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly engine: Engine,
    private readonly store: LastGoodStore,
    private readonly validate: Validate,
    private readonly log: Logger,
    private readonly metrics?: ManagedMetrics,
  ) {}

  /**
   * Loads every last-good copy into the engine (call before connecting, and before `engine.run` or after:
   * either works). A copy the engine rejects is logged and skipped; one that loads with evaluation errors
   * still runs (it is the last version known to work).
   */
  async restore(): Promise<void> {
    const copies = await this.store.load((file, reason) =>
      this.log.warn('ignoring invalid last-good pipeline copy', { file, err: reason }),
    );
    for (const { state, content } of copies) {
      if ([...this.running.values()].some((r) => r.name === state.name)) {
        this.log.warn('ignoring last-good copy with a duplicate pipeline name', { pipeline: state.name });
        continue;
      }
      const res = this.engine.loadModule(state.name, [
        { filename: pipelineFilename(state.name), text: content },
      ]);
      const errors = res.diagnostics.filter((d) => d.severity === 'error');
      if (!res.committed) {
        this.log.error('failed to load last-good pipeline', {
          pipeline: state.name,
          version: state.version,
          err: new DiagnosticError(errors).message,
        });
        continue;
      }
      if (errors.length)
        this.log.warn('last-good pipeline loaded with errors', {
          pipeline: state.name,
          err: new DiagnosticError(errors).message,
        });
      this.running.set(state.pipelineId, { ...state, content });
      this.log.info('started last-good pipeline', { pipeline: state.name, version: state.version });
    }
    this.metrics?.setPipelines(this.running.size);
  }

  /** What runs now (the Hello's `running`), sorted by name. */
  runningPipelines(): PipelineState[] {
    return [...this.running.values()]
      .map(({ pipelineId, name, version, hash }) => ({ pipelineId, name, version, hash }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Running and failed pipelines for the HTTP API, sorted by name. */
  view(): RemotePipelineView[] {
    const ids = new Set([...this.running.keys(), ...this.failures.keys()]);
    const out: RemotePipelineView[] = [];
    for (const id of ids) {
      const r = this.running.get(id);
      const f = this.failures.get(id);
      const v: RemotePipelineView = {
        pipelineId: id,
        name: r?.name ?? f!.name,
        version: r?.version ?? null,
        hash: r?.hash ?? null,
        status: f ? 'failed' : 'applied',
      };
      if (f) {
        v.error = f.error;
        v.failedVersion = f.version;
      }
      out.push(v);
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Makes the engine run exactly `desired` (calls are serialised). Removals come first, then every
   * pipeline whose hash (or name) differs from what runs is applied, unless that very hash failed before.
   *
   * @param full also report pipelines that did not change (APPLIED, or FAILED for a hash that failed
   *   before): used for the first push on a new stream, when the controller cannot know.
   * @param onApplying called once, before anything is applied, with an APPLYING status per pipeline
   *   about to be applied (not called when nothing is applied).
   * @returns the statuses of this push: APPLIED / FAILED (with error and diagnostics) / REMOVED.
   */
  apply(
    desired: DesiredState,
    full: boolean,
    onApplying: (statuses: PipelineStatus[]) => void = () => {},
  ): Promise<PipelineStatus[]> {
    const next = this.queue.then(() => this.applyNow(desired, full, onApplying));
    this.queue = next.catch(() => {});
    return next;
  }

  private async applyNow(
    desired: DesiredState,
    full: boolean,
    onApplying: (statuses: PipelineStatus[]) => void,
  ): Promise<PipelineStatus[]> {
    const statuses: PipelineStatus[] = [];
    const wanted = new Map<string, DesiredPipeline>();
    const duplicates: DesiredPipeline[] = [];
    const names = new Set<string>();
    for (const p of desired.pipelines) {
      if (wanted.has(p.pipelineId) || names.has(p.name) || !p.name) duplicates.push(p);
      else {
        wanted.set(p.pipelineId, p);
        names.add(p.name);
      }
    }

    for (const id of [...this.failures.keys()]) if (!wanted.has(id)) this.failures.delete(id);
    for (const r of [...this.running.values()]) {
      if (wanted.has(r.pipelineId)) continue;
      await this.remove(r);
      statuses.push(status(r, 'APPLY_STATUS_REMOVED'));
    }

    const changed = [...wanted.values()].filter((p) => {
      const r = this.running.get(p.pipelineId);
      if (r && r.hash === p.hash && r.name === p.name) return false;
      const f = this.failures.get(p.pipelineId);
      return !(f && f.hash === p.hash && f.name === p.name);
    });
    if (changed.length) onApplying(changed.map((p) => status(p, 'APPLY_STATUS_APPLYING')));

    for (const p of wanted.values()) {
      if (changed.includes(p)) statuses.push(await this.applyOne(p));
      else if (full) {
        const r = this.running.get(p.pipelineId);
        const f = this.failures.get(p.pipelineId);
        if (r && r.hash === p.hash) statuses.push(status(r, 'APPLY_STATUS_APPLIED'));
        else if (f)
          statuses.push({ ...status(f, 'APPLY_STATUS_FAILED'), error: f.error, diagnostics: f.diagnostics });
      }
    }
    for (const p of duplicates) {
      const error = p.name
        ? `pipeline ${JSON.stringify(p.name)} (${p.pipelineId}) appears more than once in the desired state`
        : `pipeline ${p.pipelineId} has an empty name`;
      statuses.push({ ...status(p, 'APPLY_STATUS_FAILED'), error });
    }
    this.metrics?.setPipelines(this.running.size);
    return statuses;
  }

  private async applyOne(p: DesiredPipeline): Promise<PipelineStatus> {
    const sources = [{ filename: pipelineFilename(p.name), text: p.content }];
    const prev = this.running.get(p.pipelineId);
    const owner = [...this.running.values()].find((r) => r.name === p.name && r.pipelineId !== p.pipelineId);
    if (owner)
      return this.fail(
        p,
        `pipeline name ${JSON.stringify(p.name)} is used by pipeline ${owner.pipelineId}`,
        [],
      );

    const checked = this.validate(sources);
    if (checked.some((d) => d.severity === 'error')) return this.fail(p, undefined, checked);

    const res = this.engine.loadModule(p.name, sources);
    const errors = res.diagnostics.filter((d) => d.severity === 'error');
    if (!res.committed) return this.fail(p, undefined, res.diagnostics.length ? res.diagnostics : checked);
    if (errors.length) {
      // Committed but some component failed to evaluate: put back what ran before.
      if (prev && prev.name === p.name) {
        const back = this.engine.loadModule(p.name, [
          { filename: pipelineFilename(p.name), text: prev.content },
        ]);
        if (!back.committed || back.diagnostics.some((d) => d.severity === 'error'))
          this.log.error('could not restore the previous pipeline version', {
            pipeline: p.name,
            version: prev.version,
          });
      } else await this.engine.removeModule(p.name);
      return this.fail(p, undefined, res.diagnostics);
    }

    if (prev && prev.name !== p.name) await this.engine.removeModule(prev.name);
    const state: PipelineState = { pipelineId: p.pipelineId, name: p.name, version: p.version, hash: p.hash };
    this.running.set(p.pipelineId, { ...state, content: p.content });
    this.failures.delete(p.pipelineId);
    this.metrics?.recordApply(true);
    try {
      await this.store.save(state, p.content);
    } catch (err) {
      this.log.error('failed to write the last-good copy of a pipeline', {
        pipeline: p.name,
        err: (err as Error).message,
      });
    }
    this.log.info('applied remote pipeline', { pipeline: p.name, version: p.version });
    return { ...status(p, 'APPLY_STATUS_APPLIED'), diagnostics: toProtoDiagnostics(res.diagnostics) };
  }

  private fail(p: DesiredPipeline, error: string | undefined, diags: EngineDiagnostic[]): PipelineStatus {
    const errors = diags.filter((d) => d.severity === 'error');
    const text = error ?? (errors.length ? new DiagnosticError(errors).message : 'pipeline failed to load');
    const failure: Failure = {
      pipelineId: p.pipelineId,
      name: p.name,
      version: p.version,
      hash: p.hash,
      error: text,
      diagnostics: toProtoDiagnostics(diags),
    };
    this.failures.set(p.pipelineId, failure);
    this.metrics?.recordApply(false);
    this.log.error('failed to apply remote pipeline', { pipeline: p.name, version: p.version, err: text });
    return { ...status(p, 'APPLY_STATUS_FAILED'), error: text, diagnostics: failure.diagnostics };
  }

  private async remove(r: Running): Promise<void> {
    this.running.delete(r.pipelineId);
    await this.engine.removeModule(r.name);
    try {
      await this.store.delete(r.pipelineId);
    } catch (err) {
      this.log.error('failed to delete the last-good copy of a pipeline', {
        pipeline: r.name,
        err: (err as Error).message,
      });
    }
    this.log.info('removed remote pipeline', { pipeline: r.name, version: r.version });
  }
}

function status(
  p: { pipelineId: string; name: string; version: number; hash: string },
  s: PipelineStatus['status'],
): PipelineStatus {
  return {
    pipelineId: p.pipelineId,
    name: p.name,
    version: p.version,
    hash: p.hash,
    status: s,
    error: '',
    diagnostics: [],
  };
}
