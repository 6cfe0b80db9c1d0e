import type { WaveSpec } from '../../api/types';

/** Waves as a person writes them: `1, 10%, 50%, 100%` (a number is a count of agents, `N%` a share). */
export function parseWaves(text: string): { waves: WaveSpec[] } | { error: string } {
  const parts = text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) {
    return { error: 'give at least one wave' };
  }
  if (parts.length > 20) {
    return { error: 'at most 20 waves' };
  }
  const waves: WaveSpec[] = [];
  for (const p of parts) {
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(p);
    if (pct) {
      const v = Number(pct[1]);
      if (!(v > 0 && v <= 100)) {
        return { error: `${p}: a share is above 0% and at most 100%` };
      }
      waves.push({ percent: v });
    } else if (/^\d+$/.test(p) && Number(p) >= 1) {
      waves.push({ count: Number(p) });
    } else {
      return { error: `${p}: write a count of agents (3) or a share (25%)` };
    }
  }
  return { waves };
}

/** `{count: 1}` → "1 agent", `{percent: 50}` → "50 %". */
export function waveLabel(w: { percent?: number | null; count?: number | null }): string {
  if (w.count) {
    return `${w.count} agent${w.count === 1 ? '' : 's'}`;
  }
  return `${w.percent} %`;
}
