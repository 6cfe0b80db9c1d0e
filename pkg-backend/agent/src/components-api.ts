/**
 * JSON of the components API (`/api/v0/web/components[/{id}]`), with Alloy's fields
 * (`internal/component/component_provider.go`): arguments/exports as alloyjson bodies, secrets
 * redacted, empty lists as `[]`, `label` omitted when empty.
 */
import {
  encodeValue,
  fromJS,
  RECEIVER_CAPSULES,
  type ComponentInfo,
  type Engine,
  type Value,
} from '@foundry/engine';

export interface ComponentJSON {
  name: string;
  type: 'block';
  localID: string;
  moduleID: string;
  label?: string;
  referencesTo: string[];
  referencedBy: string[];
  dataFlowEdgesTo: string[];
  health: { state: string; message: string; updatedTime: string };
  original: string;
  arguments?: unknown[];
  exports?: unknown[];
  debugInfo?: unknown[];
  createdModuleIDs: string[];
  liveDebuggingEnabled: boolean;
}

/** Encodes a plain-JS or Alloy object as an alloyjson body: `[{name, type: "attr", value}]`, sorted by name. */
export function encodeBody(v: unknown, blockNames: Set<string> = new Set()): unknown[] {
  if (v === undefined || v === null) return [];
  const value: Value = v instanceof Map ? (v as Value) : fromJS(v);
  if (!(value instanceof Map)) return [];
  const out: unknown[] = [];
  for (const key of [...value.keys()].sort()) {
    const x = value.get(key)!;
    if (x === null || (Array.isArray(x) && x.length === 0 && !blockNames.has(key))) continue;
    if (blockNames.has(key) && x instanceof Map) out.push({ name: key, type: 'block', body: encodeBody(x) });
    else if (blockNames.has(key) && Array.isArray(x)) {
      for (const el of x) out.push({ name: key, type: 'block', body: encodeBody(el) });
    } else out.push({ name: key, type: 'attr', value: encodeValue(x) });
  }
  return out;
}

function dataFlowEdges(info: ComponentInfo, engine: Engine): string[] {
  // Data flows towards components whose receiver exports we reference, and from components whose
  // non-receiver exports (targets, content) we reference, as Alloy's dataFlowEdgesTo.
  const out = new Set<string>();
  const exportTypes = (id: string) => info.controller.node(id)?.registration?.exports ?? {};
  for (const to of info.referencesTo) {
    const types = Object.values(exportTypes(to));
    if (types.some((t) => t.kind === 'capsule' && RECEIVER_CAPSULES.has(t.name))) out.add(to);
  }
  for (const from of info.referencedBy) {
    const types = Object.values(exportTypes(info.localID));
    if (!types.some((t) => t.kind === 'capsule' && RECEIVER_CAPSULES.has(t.name))) out.add(from);
  }
  void engine;
  return [...out].sort();
}

export function componentJSON(info: ComponentInfo, engine: Engine, detail: boolean): ComponentJSON {
  const cell = info.node.cell;
  const blockNames = new Set(Object.keys(info.node.registration?.args.blocks ?? {}));
  const j: ComponentJSON = {
    name: info.name,
    type: 'block',
    localID: info.localID,
    moduleID: info.moduleID,
    label: info.label,
    referencesTo: info.referencesTo,
    referencedBy: info.referencedBy,
    dataFlowEdgesTo: dataFlowEdges(info, engine),
    health: {
      state: info.health.state,
      message: info.health.message,
      updatedTime: new Date(info.health.updateTime || 0).toISOString(),
    },
    original: '',
    createdModuleIDs: info.controller
      .childControllers()
      .filter((c) => c.id.endsWith(`/${info.localID}`) || c.id === info.localID)
      .map((c) => c.id),
    liveDebuggingEnabled: false,
  };
  if (j.label === undefined) delete j.label;
  if (detail) {
    const args =
      cell.args &&
      typeof cell.args === 'object' &&
      'values' in (cell.args as object) &&
      'def' in (cell.args as object)
        ? (cell.args as { values: Map<string, Value> }).values
        : cell.args;
    j.arguments = encodeBody(args, blockNames);
    j.exports = encodeBody(cell.exports);
    const dbg = cell.instance?.debugInfo?.();
    j.debugInfo = dbg === undefined ? [] : encodeBody(dbg);
  }
  return j;
}
