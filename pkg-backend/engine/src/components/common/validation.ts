/**
 * Small helpers shared by catalogue validators (Go semantics of the checks Alloy runs in `Validate`).
 */
import { Secret } from '../../syntax/value.js';

/** Text of a decoded string, secret or optional secret ('' when absent). */
export function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (v instanceof Secret) return v.value;
  return String(v);
}

/** Go `len(x) > 0` for a decoded string/secret. */
export function isSet(v: unknown): boolean {
  return text(v).length > 0;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * `model.LabelName.IsValid()` under the UTF-8 validation scheme Alloy 1.18 uses: non-empty and valid UTF-8
 * (a JS string is invalid UTF-8 only when it holds a lone surrogate).
 */
export function isValidLabelName(s: string): boolean {
  return s.length > 0 && !LONE_SURROGATE.test(s);
}

/** `model.LabelName.IsValidLegacy()`: `^[a-zA-Z_][a-zA-Z0-9_]*$`. */
export function isValidLegacyLabelName(s: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(s);
}

/** Go `time.Duration.String()` for a duration in milliseconds (used in error texts). */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out = '';
  if (rest < 1000) {
    out = `${formatFrac(rest)}ms`;
  } else {
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = rest / 1000;
    if (h > 0) out += `${h}h`;
    if (h > 0 || m > 0) out += `${m}m`;
    out += `${formatFrac(s)}s`;
  }
  return neg ? `-${out}` : out;
}

function formatFrac(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(9)));
}

/** Go `%f`: six decimals. */
export function goFloatF(n: number): string {
  return n.toFixed(6);
}
