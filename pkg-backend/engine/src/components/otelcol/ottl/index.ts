/**
 * The OpenTelemetry Transformation Language (OTTL) as the collector's `pkg/ottl`: scanner (`lexer.ts`),
 * grammar (`parser.ts`), values and comparisons (`values.ts`), contexts and paths (`contexts.ts`),
 * functions (`functions.ts`) and compilation into closures (`compile.ts`).
 */
export {
  compileCondition,
  compileStatement,
  inferContext,
  OttlError,
  type Condition,
  type Statement,
} from './compile.js';
export { OttlRuntimeError, type ContextName, type TransformContext } from './contexts.js';
export { OttlSyntaxError, tokenize } from './lexer.js';
export { parseCondition, parseStatement } from './parser.js';
