/**
 * The engine's structured logger, in Alloy's formats: logfmt (`ts=… level=info msg="…" key=value`) or
 * JSON, at levels error < warn < info < debug. The `logging` block changes level and format live.
 * Each component gets a child logger carrying `component_path` and `component_id`.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'logfmt' | 'json';

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface LogSinkOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where formatted lines go (default: process.stderr). */
  write: (line: string) => void;
}

/** Receives every emitted record; used by `logging { write_to = … }` and tests. */
export type LogListener = (record: LogRecord) => void;

export interface LogRecord {
  time: Date;
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
}

/** Shared state of a logger tree: level/format apply to every child immediately. */
export class LogSink {
  level: LogLevel;
  format: LogFormat;
  write: (line: string) => void;
  readonly listeners = new Set<LogListener>();

  constructor(opts: Partial<LogSinkOptions> = {}) {
    this.level = opts.level ?? 'info';
    this.format = opts.format ?? 'logfmt';
    this.write = opts.write ?? ((line) => process.stderr.write(line));
  }

  enabled(level: LogLevel): boolean {
    return LEVELS[level] <= LEVELS[this.level];
  }

  emit(record: LogRecord): void {
    for (const l of this.listeners) l(record);
    if (!this.enabled(record.level)) return;
    this.write(this.format === 'json' ? formatJSON(record) : formatLogfmt(record));
  }
}

export class Logger {
  constructor(
    readonly sink: LogSink,
    private readonly fields: Record<string, unknown> = {},
  ) {}

  child(fields: Record<string, unknown>): Logger {
    return new Logger(this.sink, { ...this.fields, ...fields });
  }

  log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (!this.sink.enabled(level) && this.sink.listeners.size === 0) return;
    this.sink.emit({ time: new Date(), level, msg, fields: { ...this.fields, ...fields } });
  }

  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }
  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields);
  }
}

function logfmtValue(v: unknown): string {
  const s = v instanceof Error ? v.message : typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s === '' || /[\s"=\\]/.test(s) || /[^\x20-\x7e]/.test(s) ? JSON.stringify(s) : s;
}

export function formatLogfmt(r: LogRecord): string {
  let line = `ts=${r.time.toISOString()} level=${r.level} msg=${logfmtValue(r.msg)}`;
  for (const [k, v] of Object.entries(r.fields)) if (v !== undefined) line += ` ${k}=${logfmtValue(v)}`;
  return line + '\n';
}

export function formatJSON(r: LogRecord): string {
  const obj: Record<string, unknown> = { ts: r.time.toISOString(), level: r.level, msg: r.msg };
  for (const [k, v] of Object.entries(r.fields)) obj[k] = v instanceof Error ? v.message : v;
  return JSON.stringify(obj) + '\n';
}
