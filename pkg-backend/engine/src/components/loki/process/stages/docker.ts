/**
 * `stage.docker`, as Alloy's stage.docker (`stages/docker.go`): parses Docker's json-file log format
 * `{"log":"…","stream":"stderr","time":"2019-04-30T02:12:41.8443515Z"}`. The line becomes `log`, the
 * `stream` label is set, the timestamp (ns) is taken from `time` when it is RFC 3339, and the extracted map
 * gets `output`, `stream` and `timestamp`. Decoded shape: `{}`.
 *
 * As Go's `encoding/json` into a struct: keys match case-insensitively (the last duplicate wins), other keys
 * are ignored, a non-string value for one of the three fields (other than null) or invalid JSON leaves the
 * entry unchanged, and so does an empty or missing `log`.
 */
import type { Stage, StageEntry, StageFactory } from '../stage.js';
import { parseRFC3339Nano } from './extra-util.js';

interface DockerLog {
  log: string;
  stream: string;
  time: string;
}

/** The three docker fields of a line, or undefined when the line is not a docker log. */
export function parseDockerLine(line: string): DockerLog | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const out: DockerLog = { log: '', stream: '', time: '' };
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    const field = k.toLowerCase();
    if (field !== 'log' && field !== 'stream' && field !== 'time') continue;
    if (v === null) continue;
    if (typeof v !== 'string') return undefined;
    out[field] = v;
  }
  return out.log === '' ? undefined : out;
}

function processDocker(e: StageEntry): void {
  const d = parseDockerLine(e.line);
  if (!d) return;
  e.extracted.set('output', d.log);
  e.extracted.set('stream', d.stream);
  e.extracted.set('timestamp', d.time);
  e.line = d.log;
  e.labels.set('stream', d.stream);
  const ts = parseRFC3339Nano(d.time);
  if (ts !== undefined) e.timestamp = ts;
}

export const dockerStage: StageFactory = () => {
  const stage: Stage = {
    process(entries) {
      for (const e of entries) processDocker(e);
      return entries;
    },
  };
  return stage;
};
