/**
 * The loki-stages corpus (json, logfmt, regex and timestamp cases transcribed from Alloy's stage tests),
 * read in place: each case's `config_alloy` is decoded as loki.process decodes it, built into a Pipeline
 * and run on the case's entry (extracted pre-seeded with the labels, as Alloy's pipeline does).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Pipeline } from '../../src/components/loki/process/pipeline.js';
import type { StageConfig, StageEntry } from '../../src/components/loki/process/stage.js';
import { STAGES } from '../../src/components/loki/process/stages/index.js';
import { Logger, LogSink } from '../../src/runtime/logger.js';
import { CORPUS } from '../support/corpus.js';
import { decodeStages, stageContext } from './support.js';

const DIR = join(CORPUS, 'loki-stages');

interface TsValue {
  unix_nano: number;
  utc: string;
}

interface Case {
  name: string;
  config_alloy: string;
  stage?: string;
  stage_config?: Record<string, unknown>;
  input?: { line: string; labels: Record<string, string>; extracted: Record<string, unknown> } | null;
  entries?: {
    line: string;
    labels: Record<string, string>;
    extracted: Record<string, unknown>;
    timestamp: TsValue;
  }[];
  expected: {
    extracted?: Record<string, unknown>;
    labels?: Record<string, string>;
    timestamp?: TsValue | null;
    timestamps?: TsValue[];
    compare?: 'unix_nano' | 'unix_seconds' | 'exact';
    config_error_prefix?: string;
    config_after_defaults?: Record<string, unknown>;
  };
}

/** Reads a corpus file keeping the exact digits of nanosecond timestamps (beyond 2^53). */
function load(file: string): Case[] {
  const text = readFileSync(join(DIR, file), 'utf8').replace(/"unix_nano":\s*(-?\d+)/g, '"unix_nano": "$1"');
  return JSON.parse(text) as Case[];
}

function pipeline(configs: StageConfig[]): Pipeline {
  return new Pipeline(configs, {
    logger: new Logger(new LogSink({ write: () => {} })),
    registry: new Registry(),
    dropped: () => {},
    output: () => {},
    stages: STAGES,
  });
}

function stageEntry(
  input: { line: string; labels: Record<string, string>; extracted: Record<string, unknown> },
  ts = 1_000_000_000n,
): StageEntry {
  const extracted = new Map<string, unknown>(Object.entries(input.extracted));
  for (const [k, v] of Object.entries(input.labels)) extracted.set(k, v);
  return {
    labels: new Map(Object.entries(input.labels)),
    extracted,
    timestamp: ts,
    line: input.line,
    structuredMetadata: new Map(),
  };
}

/** Runs the extraction cases (json/logfmt/regex) of one file. */
function extractionSuite(file: string): void {
  describe(file, () => {
    for (const c of load(file)) {
      it(c.name, () => {
        const p = pipeline(decodeStages(c.config_alloy));
        const out = p.process([stageEntry(c.input!)]);
        assert.equal(out.length, 1);
        assert.deepEqual(Object.fromEntries(out[0]!.extracted), c.expected.extracted);
        if (c.expected.labels) assert.deepEqual(Object.fromEntries(out[0]!.labels), c.expected.labels);
      });
    }
  });
}

extractionSuite('json-cases.json');
extractionSuite('logfmt-cases.json');
extractionSuite('regex-cases.json');

function assertTs(got: bigint, want: TsValue, compare: string | undefined, what: string): void {
  const ns = BigInt(want.unix_nano);
  if (compare === 'unix_seconds') assert.equal(got / 1_000_000_000n, ns / 1_000_000_000n, what);
  else assert.equal(got, ns, what);
}

describe('timestamp-cases.json', () => {
  for (const c of load('timestamp-cases.json')) {
    it(c.name, () => {
      const e = c.expected;
      if (e.config_error_prefix !== undefined) {
        // The Go test builds the stage from a struct; built from Alloy text, source and format would
        // already be missing required attributes. Build the stage from the struct's values.
        assert.throws(
          () => STAGES.timestamp!({ type: 'timestamp', ...c.stage_config }, stageContext()),
          (err: Error) => err.message.startsWith(e.config_error_prefix!),
        );
        return;
      }
      const configs = decodeStages(c.config_alloy);
      if (e.config_after_defaults) {
        const { type, ...args } = configs[0]!;
        assert.equal(type, 'timestamp');
        for (const [k, v] of Object.entries(e.config_after_defaults)) assert.deepEqual(args[k], v, k);
        pipeline(configs);
        return;
      }
      const p = pipeline(configs);
      if (c.entries) {
        const got = c.entries.map(
          (en) => p.process([stageEntry(en, BigInt(en.timestamp.unix_nano))])[0]!.timestamp,
        );
        assert.equal(got.length, e.timestamps!.length);
        got.forEach((g, i) => assertTs(g, e.timestamps![i]!, e.compare, `entry ${i}`));
        return;
      }
      const out = p.process([stageEntry(c.input!)])[0]!;
      if (e.timestamp === null) {
        // A layout without a year: the current year (UTC) is used.
        const year = new Date().getUTCFullYear();
        const want = BigInt(Date.UTC(year, 6, 15, 1, 2, 3)) * 1_000_000n;
        assert.equal(out.timestamp, want);
        return;
      }
      assertTs(out.timestamp, e.timestamp!, e.compare, c.name);
    });
  }
});

describe('timestamp-formats.json', () => {
  const f = JSON.parse(readFileSync(join(DIR, 'timestamp-formats.json'), 'utf8')) as {
    unix_formats: Record<string, string[]>;
    doc_example: { format: string; parses: string };
    shorthand_formats: Record<string, string>;
  };
  const run = (format: string, value: string): bigint => {
    const s = STAGES.timestamp!({ type: 'timestamp', source: 'ts', format }, stageContext());
    return s.process([stageEntry({ line: '', labels: {}, extracted: { ts: value } }, 0n)])[0]!.timestamp;
  };

  it('Unix formats', () => {
    const scale: Record<string, bigint> = {
      Unix: 1_000_000_000n,
      UnixMs: 1_000_000n,
      UnixUs: 1000n,
      UnixNs: 1n,
    };
    for (const [format, values] of Object.entries(f.unix_formats)) {
      for (const v of values) {
        const [int, frac = ''] = v.split('.');
        const want = BigInt(int!) * scale[format]! + (frac ? BigInt(frac.padEnd(9, '0')) : 0n);
        assert.equal(run(format, v), want, `${format} ${v}`);
      }
    }
  });

  it('doc example (comma fraction, numeric offset)', () => {
    assert.equal(
      run(f.doc_example.format, f.doc_example.parses),
      BigInt(Date.parse('2024-12-20T07:14:58.381Z')) * 1_000_000n,
    );
  });

  it('every shorthand format parses a value rendered in its layout', () => {
    // Render 2006-01-02T15:04:05.123456789-07:00 in each layout with Go's reference values.
    const values: Record<string, string> = {
      ANSIC: 'Mon Jan  2 15:04:05 2006',
      UnixDate: 'Mon Jan  2 15:04:05 MST 2006',
      RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
      RFC822: '02 Jan 06 15:04 MST',
      RFC822Z: '02 Jan 06 15:04 -0700',
      RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
      RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
      RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
      RFC3339: '2006-01-02T15:04:05-07:00',
      RFC3339Nano: '2006-01-02T15:04:05.123456789-07:00',
    };
    const base = BigInt(Date.parse('2006-01-02T15:04:05Z')) * 1_000_000n;
    const offset = 7n * 3600n * 1_000_000_000n;
    for (const name of Object.keys(f.shorthand_formats)) {
      const got = run(name, values[name]!);
      // Layouts with MST: an unknown abbreviation has offset 0 (Go fabricates a zero-offset zone).
      const hasOffset = values[name]!.includes('-07');
      const noSeconds = name.startsWith('RFC822');
      let want = hasOffset ? base + offset : base;
      if (noSeconds) want -= 5n * 1_000_000_000n;
      if (name === 'RFC3339Nano') want += 123456789n;
      assert.equal(got, want, name);
    }
  });
});
