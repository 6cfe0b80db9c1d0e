/**
 * Prometheus relabeling (`model/relabel/relabel.go`, and Alloy's copy in `internal/component/common/relabel`):
 * rules are compiled once into a `RelabelRules`, then applied to
 *
 * - a `Labels` array (samples): `apply(labels)` returns the relabeled frozen, sorted Labels — the *same
 *   array* when nothing changed — or `undefined` when a rule dropped the series;
 * - a target record (discovery): `applyTarget(target)` returns a new record (the same object when nothing
 *   changed), or `undefined` when dropped.
 *
 * Semantics are Prometheus' exactly, including its label builder: a label set to "" is deleted; `labelmap`,
 * `labeldrop` and `labelkeep` visit a snapshot of the labels (existing labels in name order, then labels
 * added by earlier rules in the order they were added), so colliding `labelmap` results resolve as in
 * Prometheus. Each call does no regex compilation and allocates nothing but the result (and the joined
 * source value when a rule has several source labels).
 */
import type { Labels } from '../components/prometheus/labels.js';
import { isValidLabelName, isValidLegacyLabelName } from '../components/common/validation.js';
import { goToLower, goToUpper, hashMod } from './gostrings.js';
import {
  compileRelabelRegexp,
  compileTemplate,
  expandTemplate,
  hasTemplateVars,
  type RelabelRegexp,
  type Template,
} from './regexp.js';

/** The relabel actions, as written in a rule's `action`. */
export const RELABEL_ACTIONS = [
  'replace',
  'keep',
  'drop',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
  'keepequal',
  'dropequal',
] as const;

export type RelabelAction = (typeof RELABEL_ACTIONS)[number];

export const DEFAULT_SEPARATOR = ';';
export const DEFAULT_REGEX = '(.*)';
export const DEFAULT_REPLACEMENT = '$1';
export const DEFAULT_ACTION = 'replace';

/** One rule as decoded from a `rule` block (Alloy's `relabel.Config`; absent optional fields undefined). */
export interface RelabelConfig {
  source_labels?: string[];
  separator: string;
  /** RE2 syntax, unanchored as written; compiled as `^(?s:<regex>)$`. */
  regex: string;
  modulus?: number;
  target_label?: string;
  replacement: string;
  action: string;
}

/**
 * Which label names an expanded `replace` target may have: `utf8` (any non-empty valid UTF-8: Alloy's
 * discovery.relabel and Prometheus 3 defaults) or `legacy` (`[a-zA-Z_][a-zA-Z0-9_]*`: what Alloy's
 * prometheus.relabel passes to Prometheus' relabeler).
 */
export type NameValidation = 'utf8' | 'legacy';

export interface CompileOptions {
  /** Default `utf8`. */
  nameValidation?: NameValidation;
}

const enum Act {
  Replace,
  Keep,
  Drop,
  HashMod,
  LabelMap,
  LabelDrop,
  LabelKeep,
  Lowercase,
  Uppercase,
  KeepEqual,
  DropEqual,
}

interface Rule {
  act: Act;
  sources: readonly string[];
  separator: string;
  re: RelabelRegexp;
  target: string;
  /** Compiled `target_label` when it contains `$`. */
  targetTpl: Template | undefined;
  /** Whether the literal target is a valid name (checked once instead of per call). */
  targetValid: boolean;
  replacement: Template;
  modulus: bigint;
}

const ACT_BY_NAME: Record<RelabelAction, Act> = {
  replace: Act.Replace,
  keep: Act.Keep,
  drop: Act.Drop,
  hashmod: Act.HashMod,
  labelmap: Act.LabelMap,
  labeldrop: Act.LabelDrop,
  labelkeep: Act.LabelKeep,
  lowercase: Act.Lowercase,
  uppercase: Act.Uppercase,
  keepequal: Act.KeepEqual,
  dropequal: Act.DropEqual,
};

/**
 * Compiles relabel rules (already validated by the `rule` schema).
 * @throws RegexpSyntaxError for a regex that is not valid RE2; Error for an unknown action.
 */
export function compileRules(configs: readonly RelabelConfig[], opts: CompileOptions = {}): RelabelRules {
  return new RelabelRules(configs, opts);
}

/** Compiled relabel rules: the payload of the `relabel.Rules` capsule. Immutable; safe to share. */
export class RelabelRules {
  /** The rules as configured (what Alloy exports as `rules`). */
  readonly configs: readonly RelabelConfig[];
  readonly nameValidation: NameValidation;
  private readonly rules: Rule[];
  private readonly b = new Builder();

  constructor(configs: readonly RelabelConfig[], opts: CompileOptions = {}) {
    this.configs = configs;
    this.nameValidation = opts.nameValidation ?? 'utf8';
    const valid = this.nameValidation === 'legacy' ? isValidLegacyLabelName : isValidLabelName;
    this.rules = configs.map((c) => {
      const act = ACT_BY_NAME[c.action as RelabelAction];
      if (act === undefined) throw new Error(`unrecognized action type ${JSON.stringify(c.action)}`);
      const re = compileRelabelRegexp(c.regex);
      const target = c.target_label ?? '';
      return {
        act,
        sources: c.source_labels ?? [],
        separator: c.separator,
        re,
        target,
        targetTpl: hasTemplateVars(target) ? compileTemplate(target, re) : undefined,
        targetValid: valid(target),
        replacement: compileTemplate(c.replacement, re),
        modulus: BigInt(Math.trunc(c.modulus ?? 0)),
      };
    });
  }

  /** Number of rules. */
  get length(): number {
    return this.rules.length;
  }

  /**
   * Relabels a sample's label set (as Prometheus relabel.Process).
   * @returns the new Labels (frozen, sorted, no empty values; `labels` itself when unchanged), or
   *   `undefined` when the series is dropped.
   */
  apply(labels: Labels): Labels | undefined {
    if (this.rules.length === 0) return labels;
    const b = this.b;
    b.resetLabels(labels);
    const keep = this.run(b);
    const out = keep ? b.toLabels() : undefined;
    b.clear();
    return out;
  }

  /**
   * Relabels a discovery target (as Alloy's discovery.relabel). Labels with empty values count as absent
   * and are not in the result.
   * @returns the relabeled target (`target` itself when nothing changed), or `undefined` when dropped.
   */
  applyTarget(target: Readonly<Record<string, string>>): Record<string, string> | undefined {
    const b = this.b;
    b.resetRecord(target);
    const keep = this.run(b);
    const out = keep ? b.toRecord() : undefined;
    b.clear();
    return out;
  }

  /** Relabels every target, leaving out the dropped ones. */
  applyTargets(targets: readonly Readonly<Record<string, string>>[]): Record<string, string>[] {
    const out: Record<string, string>[] = [];
    for (const t of targets) {
      const r = this.applyTarget(t);
      if (r) out.push(r);
    }
    return out;
  }

  private run(b: Builder): boolean {
    for (const r of this.rules) if (!this.step(r, b)) return false;
    return true;
  }

  /** One rule (Prometheus' `relabel`); false when the label set is dropped. */
  private step(r: Rule, b: Builder): boolean {
    const src = r.sources;
    let val: string;
    if (src.length === 1) val = b.get(src[0]!);
    else if (src.length === 0) val = '';
    else {
      val = b.get(src[0]!);
      for (let i = 1; i < src.length; i++) val += r.separator + b.get(src[i]!);
    }
    switch (r.act) {
      case Act.Drop:
        return !r.re.test(val);
      case Act.Keep:
        return r.re.test(val);
      case Act.DropEqual:
        return b.get(r.target) !== val;
      case Act.KeepEqual:
        return b.get(r.target) === val;
      case Act.Replace: {
        const m = r.re.exec(val);
        if (m === null) return true;
        let target = r.target;
        if (r.targetTpl) {
          target = expandTemplate(r.targetTpl, val, m);
          if (!(this.nameValidation === 'legacy' ? isValidLegacyLabelName : isValidLabelName)(target))
            return true;
        } else if (!r.targetValid) return true;
        b.set(target, expandTemplate(r.replacement, val, m));
        return true;
      }
      case Act.Lowercase:
        b.set(r.target, goToLower(val));
        return true;
      case Act.Uppercase:
        b.set(r.target, goToUpper(val));
        return true;
      case Act.HashMod:
        b.set(r.target, hashMod(val, r.modulus));
        return true;
      case Act.LabelMap: {
        const n = b.snapshot();
        for (let i = 0; i < n; i++) {
          const name = b.rangeNames[i]!;
          const m = r.re.exec(name);
          if (m !== null) b.set(expandTemplate(r.replacement, name, m), b.rangeValues[i]!);
        }
        return true;
      }
      case Act.LabelDrop: {
        const n = b.snapshot();
        for (let i = 0; i < n; i++) if (r.re.test(b.rangeNames[i]!)) b.del(b.rangeNames[i]!);
        return true;
      }
      case Act.LabelKeep: {
        const n = b.snapshot();
        for (let i = 0; i < n; i++) if (!r.re.test(b.rangeNames[i]!)) b.del(b.rangeNames[i]!);
        return true;
      }
    }
  }
}

/**
 * Prometheus' `labels.Builder` over a flat Labels array or a target record: the base stays untouched,
 * changes are kept as an ordered list of additions and a list of deletions. Scratch arrays are reused
 * across calls.
 */
class Builder {
  private arr: Labels | undefined;
  private rec: Readonly<Record<string, string>> | undefined;
  private recKeys: string[] | undefined;
  private readonly addN: string[] = [];
  private readonly addV: string[] = [];
  private nAdd = 0;
  private readonly delN: string[] = [];
  private nDel = 0;
  /** Filled by `snapshot()`. */
  readonly rangeNames: string[] = [];
  readonly rangeValues: string[] = [];
  private readonly order: number[] = [];

  resetLabels(l: Labels): void {
    this.arr = l;
    this.rec = undefined;
  }

  resetRecord(r: Readonly<Record<string, string>>): void {
    this.rec = r;
    this.arr = undefined;
    this.recKeys = undefined;
  }

  /** Drops references to the caller's data. */
  clear(): void {
    this.arr = undefined;
    this.rec = undefined;
    this.recKeys = undefined;
    for (let i = 0; i < this.nAdd; i++) this.addV[i] = this.addN[i] = '';
    this.nAdd = 0;
    this.nDel = 0;
  }

  private baseGet(name: string): string {
    const a = this.arr;
    if (a) {
      for (let i = 0; i < a.length; i += 2) if (a[i] === name) return a[i + 1]!;
      return '';
    }
    const v = this.rec![name];
    return typeof v === 'string' ? v : '';
  }

  private addIndex(name: string): number {
    for (let i = 0; i < this.nAdd; i++) if (this.addN[i] === name) return i;
    return -1;
  }

  private deleted(name: string): boolean {
    for (let i = 0; i < this.nDel; i++) if (this.delN[i] === name) return true;
    return false;
  }

  get(name: string): string {
    const i = this.addIndex(name);
    if (i >= 0) return this.addV[i]!;
    if (this.nDel && this.deleted(name)) return '';
    return this.baseGet(name);
  }

  set(name: string, value: string): void {
    if (value === '') return this.del(name);
    const i = this.addIndex(name);
    if (i >= 0) {
      this.addV[i] = value;
      return;
    }
    this.addN[this.nAdd] = name;
    this.addV[this.nAdd++] = value;
  }

  del(name: string): void {
    const i = this.addIndex(name);
    if (i >= 0) {
      for (let k = i + 1; k < this.nAdd; k++) {
        this.addN[k - 1] = this.addN[k]!;
        this.addV[k - 1] = this.addV[k]!;
      }
      this.nAdd--;
      this.addN[this.nAdd] = this.addV[this.nAdd] = '';
    }
    this.delN[this.nDel++] = name;
  }

  /**
   * Fills rangeNames/rangeValues with the current labels as `Builder.Range` visits them: base labels in
   * name order (unless deleted or overridden), then added labels in insertion order. Returns the count.
   */
  snapshot(): number {
    let n = 0;
    if (this.arr) {
      const a = this.arr;
      for (let i = 0; i < a.length; i += 2) n = this.visit(a[i]!, a[i + 1]!, n);
    } else {
      for (const k of this.sortedKeys()) n = this.visit(k, this.rec![k]!, n);
    }
    for (let i = 0; i < this.nAdd; i++) {
      this.rangeNames[n] = this.addN[i]!;
      this.rangeValues[n++] = this.addV[i]!;
    }
    return n;
  }

  /** Appends a base label to the snapshot unless it is empty, deleted or overridden. */
  private visit(name: string, value: string, n: number): number {
    if (value === '' || this.addIndex(name) >= 0 || (this.nDel && this.deleted(name))) return n;
    this.rangeNames[n] = name;
    this.rangeValues[n] = value;
    return n + 1;
  }

  private sortedKeys(): string[] {
    return (this.recKeys ??= Object.keys(this.rec!).sort());
  }

  /** The resulting Labels: the base array itself when the content did not change. */
  toLabels(): Labels {
    const base = this.arr!;
    if (this.nAdd === 0 && this.nDel === 0) return base;
    // Added labels in name order (few: insertion sort of their indices).
    const order = this.order;
    order.length = this.nAdd;
    for (let i = 0; i < this.nAdd; i++) {
      let j = i;
      while (j > 0 && this.addN[order[j - 1]!]! > this.addN[i]!) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = i;
    }
    const out: string[] = [];
    let k = 0;
    for (let i = 0; i < base.length; i += 2) {
      const name = base[i]!;
      while (k < this.nAdd && this.addN[order[k]!]! < name) {
        out.push(this.addN[order[k]!]!, this.addV[order[k]!]!);
        k++;
      }
      if (k < this.nAdd && this.addN[order[k]!] === name) continue; // overridden; emitted when reached
      if (this.nDel && this.deleted(name)) continue;
      out.push(name, base[i + 1]!);
    }
    for (; k < this.nAdd; k++) out.push(this.addN[order[k]!]!, this.addV[order[k]!]!);
    if (out.length === base.length) {
      let same = true;
      for (let i = 0; i < out.length && same; i++) same = out[i] === base[i];
      if (same) return base;
    }
    return Object.freeze(out);
  }

  /** The resulting target record: the base record itself when nothing changed. */
  toRecord(): Record<string, string> {
    const base = this.rec!;
    if (this.nAdd === 0 && this.nDel === 0) {
      let clean = true;
      for (const k in base) if (base[k] === '') clean = false;
      if (clean) return base as Record<string, string>;
    }
    const out: Record<string, string> = {};
    for (const k of Object.keys(base)) {
      const v = base[k]!;
      if (v === '' || this.addIndex(k) >= 0 || (this.nDel && this.deleted(k))) continue;
      out[k] = v;
    }
    for (let i = 0; i < this.nAdd; i++) out[this.addN[i]!] = this.addV[i]!;
    return out;
  }
}
