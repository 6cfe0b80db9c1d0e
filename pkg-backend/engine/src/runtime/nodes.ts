/**
 * Graph node records. A `Cell` is the persistent state behind a node ID (instance, arguments, exports,
 * health, run task); it survives reloads while the ID stays, so an unchanged component is the very
 * same instance. A `GraphNode` is rebuilt on every load and points at its cell.
 */
import type { BlockStmt } from '../syntax/ast.js';
import type { SourceFile } from '../syntax/source.js';
import type { Value } from '../syntax/value.js';
import type { Component, ComponentRegistration } from './component.js';
import { health, type Health } from './health.js';
import type { Registry } from 'prom-client';

export type NodeKind =
  | 'component'
  | 'custom'
  | 'declare'
  | 'import'
  | 'argument'
  | 'export'
  | 'logging'
  | 'tracing'
  | 'foreach'
  | 'service';

export class Cell {
  instance: Component | undefined;
  /** Last successfully applied arguments. */
  args: unknown;
  /** The last `update` threw: the next evaluation calls `update` even when the arguments equal `args`. */
  updateFailed = false;
  /** Exports as an Alloy object, as seen by dependants. */
  exports: Value = new Map();
  evalHealth: Health = health('unknown', 'component created');
  runHealth: Health = health('unknown', 'component created');
  abort: AbortController | undefined;
  running: Promise<void> | undefined;
  metrics: Registry | undefined;
  /** Set when the node's exports changed since dependants were last evaluated. */
  version = 0;

  constructor(
    readonly id: string,
    readonly kind: NodeKind,
    /** Block name (`prometheus.scrape`) or the custom component's name. */
    readonly name: string,
  ) {}
}

export interface GraphNode {
  id: string;
  kind: NodeKind;
  name: string;
  label: string | undefined;
  block: BlockStmt;
  file: SourceFile;
  cell: Cell;
  registration?: ComponentRegistration;
}
