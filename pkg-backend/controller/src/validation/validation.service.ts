import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import {
  createDefaultRegistry,
  validateSources,
  type ComponentRegistry,
  type Diagnostic,
} from '@foundry/engine';
import { AgentDirectory } from '../agents/agent-directory.js';
import { parseMatchersOrThrow } from '../common/request.js';
import type { DiagnosticView } from '../common/schemas.js';
import { analyzeConfig, type ConfigGraph } from './config-graph.js';

/** File name diagnostics refer to. */
export const PIPELINE_FILENAME = 'pipeline.alloy';
/** The engine's message for a component or function below the minimum stability level. */
const STABILITY = / is at stability level "[a-z-]+", which is below the minimum allowed stability level /;
/** How many agents that cannot run a config are listed. */
const CANNOT_RUN_LISTED = 100;

export interface ValidationResult {
  /** No error (warnings allowed). */
  valid: boolean;
  diagnostics: DiagnosticView[];
  components: string[];
  graph: ConfigGraph;
}

/** 400 carrying the diagnostics of invalid pipeline content. */
export class InvalidContentException extends BadRequestException {
  constructor(result: ValidationResult) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0];
    super({
      statusCode: 400,
      error: 'Bad Request',
      message:
        `pipeline content is invalid: ${errors.length} error${errors.length === 1 ? '' : 's'}` +
        (first ? ` (first: ${first.line}:${first.column}: ${first.message})` : ''),
      diagnostics: result.diagnostics,
    });
  }
}

/**
 * Validates pipeline text with the engine (as `alloy validate`, plus the rules of running as an isolated
 * module), lists the components it uses and the graph of references, and checks which agents can run it.
 */
@Injectable()
export class ValidationService {
  private readonly registry: ComponentRegistry = createDefaultRegistry();

  constructor(@Inject(AgentDirectory) private readonly directory: AgentDirectory) {}

  validate(content: string): ValidationResult {
    const engine = validateSources([{ filename: PIPELINE_FILENAME, text: content }], {
      registry: this.registry,
    });
    const analysis = analyzeConfig(PIPELINE_FILENAME, content, this.registry);
    const taken = new Set(engine.map((d) => d.start.offset));
    const all = [...engine, ...analysis.moduleDiagnostics.filter((d) => !taken.has(d.start.offset))];
    // Stability is each agent's choice (--stability.level): below generally-available is a warning here,
    // and agents that do not allow it cannot run the config (they do not list the component as supported).
    const diagnostics = all
      .map(toView)
      .map((d) =>
        d.severity === 'error' && STABILITY.test(d.message) ? { ...d, severity: 'warning' as const } : d,
      );
    return {
      valid: !diagnostics.some((d) => d.severity === 'error'),
      diagnostics,
      components: analysis.components,
      graph: analysis.graph,
    };
  }

  /** Validates, or throws InvalidContentException (400 with the diagnostics) when there is an error. */
  validateOrThrow(content: string): ValidationResult {
    const result = this.validate(content);
    if (!result.valid) throw new InvalidContentException(result);
    return result;
  }

  /** Validates and checks the agents `matchers` select (every agent when absent). */
  async validateForAgents(content: string, matcherTexts: string[] = []) {
    const matchers = parseMatchersOrThrow(matcherTexts);
    const result = this.validate(content);
    const matched = await this.directory.matching(matchers);
    const cannotRun: { id: string; name: string; missing: string[] }[] = [];
    for (const agent of matched) {
      // An agent that reported no components (e.g. an Alloy without the fleet protocol) is not judged.
      if (agent.supportedComponents.length === 0) continue;
      const supported = new Set(agent.supportedComponents);
      const missing = result.components.filter((c) => !supported.has(c));
      if (missing.length) cannotRun.push({ id: agent.id, name: agent.name, missing });
    }
    return {
      ...result,
      agents: {
        matched: matched.length,
        cannotRun: cannotRun.slice(0, CANNOT_RUN_LISTED),
        cannotRunTotal: cannotRun.length,
      },
    };
  }
}

function toView(d: Diagnostic): DiagnosticView {
  return {
    severity: d.severity,
    message: d.message,
    line: d.start.line,
    column: d.start.column,
    endLine: d.end.line,
    endColumn: d.end.column,
  };
}
