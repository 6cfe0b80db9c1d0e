/**
 * Go `time.ParseDuration` (what Alloy's duration arguments use): a sequence of decimal numbers with
 * units ns, us (µs), ms, s, m, h; optional sign; "0" alone is allowed. Returns **milliseconds**.
 *
 * @throws Error `time: invalid duration "x"` / `time: missing unit in duration "x"` /
 *   `time: unknown unit "u" in duration "x"` (Go's texts).
 */
export function parseDuration(s: string): number {
  const orig = s;
  const quoted = JSON.stringify(orig);
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new Error(`time: invalid duration ${quoted}`);
  let total = 0;
  const re = /^(\d*)(?:\.(\d*))?([a-zµμ]*)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === '')))
      throw new Error(`time: invalid duration ${quoted}`);
    const unit = m[3]!;
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`);
    const factor = UNIT_MS[unit];
    if (factor === undefined)
      throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    const value = Number(`${m[1] || '0'}.${m[2] ?? '0'}`);
    total += value * factor;
    s = s.slice(m[0].length);
  }
  return neg ? -total : total;
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Formats milliseconds the way Go's Duration.String does (`1m30s`, `500ms`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out = '';
  if (rest < 1000) {
    if (rest >= 1) out = `${trimFloat(rest)}ms`;
    else if (rest >= 1e-3) out = `${trimFloat(rest * 1e3)}µs`;
    else out = `${trimFloat(rest * 1e6)}ns`;
    return (neg ? '-' : '') + out;
  }
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  out += `${trimFloat(rest / 1000)}s`;
  return (neg ? '-' : '') + out;
}

function trimFloat(n: number): string {
  return String(Math.round(n * 1e9) / 1e9);
}
