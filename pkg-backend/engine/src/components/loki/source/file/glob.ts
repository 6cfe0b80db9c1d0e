/**
 * File globbing with doublestar v4 semantics (github.com/bmatcuk/doublestar, used by Alloy's
 * `internal/util/glob` for `local.file_match` and `loki.source.file`'s `file_match` block), on Unix paths:
 *
 * - `*` any run of non-`/` characters (dotfiles included), `?` one non-`/` character;
 * - `**` as a whole path segment matches zero or more directories (`a/**` also matches `a` itself);
 *   anywhere else it behaves like `*`;
 * - `[abc]`, `[a-z]`, `[!…]` / `[^…]` character classes; `{alt1,alt2}` alternatives (nestable, may
 *   contain `/`; `some{thing,}` matches "something" and "some");
 * - `\` escapes the next character.
 *
 * `glob` walks the file system (following symlinks, guarding against cycles, ignoring I/O errors as
 * doublestar does by default) and returns matching files and directories in directory order;
 * `pathMatch` matches a path string without touching the disk.
 *
 * @throws Error `syntax error in pattern` (doublestar's ErrBadPattern) for an unterminated `[` or `{`.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { normalize } from 'node:path';

const META = /[*?[{\\]/;

export class BadPatternError extends Error {
  constructor(pattern: string) {
    super(`syntax error in pattern: ${JSON.stringify(pattern)}`);
  }
}

/** Expands `{a,b}` alternatives into brace-free patterns (escapes are kept). */
export function expandBraces(pattern: string): string[] {
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(pattern, i);
    else if (c === '{') {
      open = i;
      break;
    }
  }
  if (open < 0) return [pattern];
  const alts: string[] = [];
  let depth = 0;
  let start = open + 1;
  let close = -1;
  for (let i = open + 1; i < pattern.length && close < 0; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(pattern, i);
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) {
        alts.push(pattern.slice(start, i));
        close = i;
      } else depth--;
    } else if (c === ',' && depth === 0) {
      alts.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  if (close < 0) throw new BadPatternError(pattern);
  const prefix = pattern.slice(0, open);
  const suffix = pattern.slice(close + 1);
  const out: string[] = [];
  for (const alt of alts) for (const p of expandBraces(prefix + alt + suffix)) out.push(p);
  return out;
}

/** Index of the `]` closing the class opened at `i`. @throws BadPatternError when unterminated. */
function classEnd(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '!' || p[j] === '^') j++;
  if (p[j] === ']') j++; // a leading ] is literal
  for (; j < p.length; j++) {
    if (p[j] === '\\') j++;
    else if (p[j] === ']') return j;
  }
  throw new BadPatternError(p);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

const segmentCache = new Map<string, RegExp>();

/** Compiles one brace-free path segment (no `/`) into an anchored RegExp. */
function segmentRegExp(seg: string): RegExp {
  let re = segmentCache.get(seg);
  if (re) return re;
  let src = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '\\') {
      i++;
      src += escapeRe(seg[i] ?? '\\');
    } else if (c === '*') {
      while (seg[i + 1] === '*') i++;
      src += '[^/]*';
    } else if (c === '?') src += '[^/]';
    else if (c === '[') {
      const end = classEnd(seg, i);
      let j = i + 1;
      let neg = false;
      if (seg[j] === '!' || seg[j] === '^') {
        neg = true;
        j++;
      }
      let body = '';
      for (; j < end; j++) {
        const d = seg[j]!;
        if (d === '\\') body += escapeRe(seg[++j]!);
        else if (d === '-' && body !== '' && j + 1 < end) body += '-';
        else body += escapeRe(d);
      }
      src += neg ? `[^/${body}]` : `[${body}]`;
      i = end;
    } else src += escapeRe(c);
  }
  re = new RegExp(src + '$');
  if (segmentCache.size > 1000) segmentCache.clear();
  segmentCache.set(seg, re);
  return re;
}

function unescape(seg: string): string {
  return seg.replace(/\\(.)/g, '$1');
}

function matchSegments(ps: string[], i: number, xs: string[], j: number): boolean {
  for (; i < ps.length; i++, j++) {
    const p = ps[i]!;
    if (p === '**') {
      for (let k = j; k <= xs.length; k++) if (matchSegments(ps, i + 1, xs, k)) return true;
      return false;
    }
    if (j >= xs.length || !segmentRegExp(p).test(xs[j]!)) return false;
  }
  return j === xs.length;
}

/** Whether `path` matches `pattern` (doublestar.PathMatch on Unix). @throws BadPatternError. */
export function pathMatch(pattern: string, path: string): boolean {
  const xs = path.split('/');
  return expandBraces(pattern).some((p) => matchSegments(p.split('/'), 0, xs, 0));
}

/** doublestar's FilepathGlob: cleans the pattern, walks the disk, returns matches. @throws BadPatternError. */
export async function glob(pattern: string): Promise<string[]> {
  if (pattern === '') return [];
  const cleaned = clean(pattern);
  const seen = new Set<string>();
  const out: string[] = [];
  const emit = (p: string) => {
    if (!seen.has(p)) {
      seen.add(p);
      out.push(p);
    }
  };
  for (const alt of expandBraces(cleaned)) {
    const segs = alt.split('/');
    const k = segs.findIndex((s) => META.test(s));
    if (k < 0) {
      const p = unescape(alt);
      if (await exists(p)) emit(p);
      continue;
    }
    const base = segs.slice(0, k).map(unescape);
    const dir = k === 0 ? '.' : base.join('/') || '/';
    const prefix = k === 0 ? '' : base.join('/') === '' ? '/' : base.join('/') + '/';
    await walk(dir, prefix, segs.slice(k), 0, emit, new Set());
  }
  return out;
}

function clean(p: string): string {
  let c = normalize(p);
  if (c.length > 1 && c.endsWith('/')) c = c.slice(0, -1);
  return c;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function names(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

/**
 * Matches `segs[i..]` below `dir` (a real path); `out` is how `dir` is spelled in results (ends with
 * `/` unless empty). `ancestors` holds the real paths of the directories a `**` descended through.
 */
async function walk(
  dir: string,
  out: string,
  segs: string[],
  i: number,
  emit: (p: string) => void,
  ancestors: Set<string>,
): Promise<void> {
  if (i === segs.length) {
    emit(out === '' ? '.' : out.length > 1 && out.endsWith('/') ? out.slice(0, -1) : out);
    return;
  }
  const seg = segs[i]!;
  const last = i === segs.length - 1;
  const child = (name: string) => (dir === '.' && out === '' ? name : `${dir === '/' ? '' : dir}/${name}`);
  if (seg === '**') {
    await walk(dir, out, segs, i + 1, emit, ancestors);
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      return;
    }
    if (ancestors.has(real)) return;
    const below = new Set(ancestors).add(real);
    const trailing = i === segs.length - 1;
    for (const name of await names(dir)) {
      const c = child(name);
      if (await isDir(c)) await walk(c, `${out}${name}/`, segs, i, emit, below);
      else if (trailing) emit(out + name);
    }
    return;
  }
  if (!META.test(seg)) {
    const name = unescape(seg);
    const c = child(name);
    if (last) {
      if (await exists(c)) emit(out + name);
    } else if (await isDir(c)) await walk(c, `${out}${name}/`, segs, i + 1, emit, ancestors);
    return;
  }
  const re = segmentRegExp(seg);
  for (const name of await names(dir)) {
    if (!re.test(name)) continue;
    const c = child(name);
    if (last) emit(out + name);
    else if (await isDir(c)) await walk(c, `${out}${name}/`, segs, i + 1, emit, ancestors);
  }
}
