/**
 * Label sets of the Prometheus pipeline, kept flat: a `Labels` value is one frozen array of
 * alternating names and values, sorted by name (bytewise, as Prometheus' labels.Labels). Producers
 * create one array per series and reuse it for every sample of that series, so consumers can cache
 * per series by array identity (WeakMap) with no per-sample objects.
 */
export type Labels = readonly string[];

export const METRIC_NAME = '__name__';

/** Builds sorted Labels from name/value pairs; later duplicates win. Empty values are dropped (Prometheus). */
export function labelsFromRecord(rec: Record<string, string>): Labels {
  const names = Object.keys(rec).sort(compareBytes);
  const out: string[] = [];
  for (const n of names) {
    const v = rec[n]!;
    if (v !== '') out.push(n, v);
  }
  return Object.freeze(out);
}

/** Sorts a flat pair array in place by name and freezes it; drops empty values. */
export function labelsFromPairs(pairs: string[]): Labels {
  const idx: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i + 1] !== '') idx.push(i);
  idx.sort((a, b) => compareBytes(pairs[a]!, pairs[b]!));
  const out: string[] = [];
  for (const i of idx) {
    if (out.length && out[out.length - 2] === pairs[i]) out[out.length - 1] = pairs[i + 1]!;
    else out.push(pairs[i]!, pairs[i + 1]!);
  }
  return Object.freeze(out);
}

export function labelsToRecord(l: Labels): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (let i = 0; i < l.length; i += 2) out[l[i]!] = l[i + 1]!;
  return out;
}

/** Value of a label, or '' when absent (as Prometheus' Labels.Get). */
export function getLabel(l: Labels, name: string): string {
  for (let i = 0; i < l.length; i += 2) if (l[i] === name) return l[i + 1]!;
  return '';
}

/** A string that identifies the label set (`{a="1", b="2"}` shape, as Prometheus' Labels.String). */
export function labelsKey(l: Labels): string {
  let s = '{';
  for (let i = 0; i < l.length; i += 2) {
    if (i) s += ', ';
    s += `${l[i]}=${JSON.stringify(l[i + 1])}`;
  }
  return s + '}';
}

/** Bytewise (UTF-16 code unit) comparison, which matches Go's for the ASCII label names Prometheus allows. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Adds external labels the series does not have (as Prometheus' processExternalLabels): the series' own value wins; the result stays sorted and frozen. */
export function withExternalLabels(l: Labels, ext: readonly [string, string][]): Labels {
  if (ext.length === 0) return l;
  let out: string[] | undefined;
  for (const [name, value] of ext) {
    let has = false;
    for (let i = 0; i < l.length; i += 2) {
      if (l[i] === name) {
        has = true;
        break;
      }
    }
    if (has) continue;
    out ??= [...l];
    let at = out.length;
    for (let i = 0; i < out.length; i += 2) {
      if (compareBytes(out[i]!, name) > 0) {
        at = i;
        break;
      }
    }
    out.splice(at, 0, name, value);
  }
  return out ? Object.freeze(out) : l;
}
