/**
 * A Go `text/template` interpreter for the templates of stage.template and stage.replace, with Alloy's
 * function map: Go's builtins, a subset of sprig (Masterminds/sprig v3 `TxtFuncMap`) and Alloy's own
 * functions (ToLower, ToUpper, Replace, Trim, TrimLeft, TrimRight, TrimPrefix, TrimSuffix, TrimSpace,
 * Hash (SHA3-256), Sha2Hash, regexReplaceAll, regexReplaceAllLiteral).
 *
 * Supported syntax: text, `{{ pipeline }}`, trim markers `{{-`/`-}}`, comments, `.`, `.Field.Chain`,
 * `$`/`$var` (declared with `:=`, assigned with `=`), string/raw-string/char/number/bool/nil literals,
 * function calls, `|` pipes, parenthesized pipelines, `if`/`else if`/`else`/`end`, `with`, `range` (with
 * `$i, $e :=`, `else`, `break`, `continue`).
 * Not supported: `define`/`template`/`block`, method calls, complex numbers.
 *
 * Semantics follow Go: a missing map key is "no value" (printed `<no value>`, false in `if`, an error when
 * passed to a function that wants a string); a function that throws makes the whole execution fail.
 * Numbers are JS numbers (Go's int/float64 distinction is not kept: integral values print as integers).
 */
import { createHash } from 'node:crypto';
import { RE2JS } from 're2js';
import { compileTemplate, expandTemplate, type RelabelRegexp } from '../../../relabel/regexp.js';
import { goToLower, goToUpper } from '../../../relabel/gostrings.js';
import { formatFloatF } from './values.js';

/** A parse error ("template: pipeline_template:1: …"). */
export class TemplateParseError extends Error {}
/** An execution error. */
export class TemplateExecError extends Error {}

/** Go's invalid reflect.Value: a missing map key. */
const NO_VALUE = undefined;

// --------------------------------------------------------------------------------------------- lexer

type ItemType =
  | 'text'
  | 'left'
  | 'right'
  | 'space'
  | 'ident'
  | 'field'
  | 'variable'
  | 'dot'
  | 'string'
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'keyword'
  | 'eof';

interface Item {
  type: ItemType;
  val: string;
  line: number;
  /** Decoded value of string/number literals. */
  lit?: unknown;
  /** Whether whitespace preceded the item (a field chains onto the previous term only without it). */
  spaced?: boolean;
}

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'break',
  'continue',
  'define',
  'template',
  'block',
]);

function lex(src: string, name: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let line = 1;
  const err = (msg: string): never => {
    throw new TemplateParseError(`template: ${name}:${line}: ${msg}`);
  };
  while (pos < src.length) {
    let open = src.indexOf('{{', pos);
    if (open < 0) open = src.length;
    let text = src.slice(pos, open);
    let trimLeft = false;
    if (open < src.length && src.startsWith('{{- ', open)) trimLeft = true;
    else if (open < src.length && /^\{\{-[\t\r\n]/.test(src.slice(open, open + 4))) trimLeft = true;
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) items.push({ type: 'text', val: text, line });
    line += (src.slice(pos, open).match(/\n/g) ?? []).length;
    if (open >= src.length) break;
    pos = open + 2 + (trimLeft ? 2 : 0);
    // Comment
    if (src.startsWith('/*', pos)) {
      const end = src.indexOf('*/', pos);
      if (end < 0) err('unclosed comment');
      pos = end + 2;
      let trimRight = false;
      if (src.startsWith(' -}}', pos)) {
        trimRight = true;
        pos += 4;
      } else if (src.startsWith('}}', pos)) pos += 2;
      else err('comment ends before closing delimiter');
      if (trimRight) while (pos < src.length && /[ \t\r\n]/.test(src[pos]!)) pos++;
      continue;
    }
    items.push({ type: 'left', val: '{{', line });
    // Action body
    for (;;) {
      if (pos >= src.length) err('unclosed action');
      if (src.startsWith('}}', pos)) {
        items.push({ type: 'right', val: '}}', line });
        pos += 2;
        break;
      }
      if (/^[ \t\r\n]-\}\}/.test(src.slice(pos, pos + 4))) {
        items.push({ type: 'right', val: '}}', line });
        pos += 4;
        while (pos < src.length && /[ \t\r\n]/.test(src[pos]!)) {
          if (src[pos] === '\n') line++;
          pos++;
        }
        break;
      }
      const c = src[pos]!;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
        if (c === '\n') line++;
        pos++;
        continue;
      }
      if (c === '|') {
        items.push({ type: 'pipe', val: c, line });
        pos++;
      } else if (c === '(') {
        items.push({ type: 'lparen', val: c, line });
        pos++;
      } else if (c === ')') {
        items.push({ type: 'rparen', val: c, line });
        pos++;
      } else if (c === ',') {
        items.push({ type: 'comma', val: c, line });
        pos++;
      } else if (c === ':' && src[pos + 1] === '=') {
        items.push({ type: 'declare', val: ':=', line });
        pos += 2;
      } else if (c === '=') {
        items.push({ type: 'assign', val: '=', line });
        pos++;
      } else if (c === '"') {
        let j = pos + 1;
        while (j < src.length && src[j] !== '"') {
          if (src[j] === '\n') err('unterminated quoted string');
          j += src[j] === '\\' ? 2 : 1;
        }
        if (j >= src.length) err('unterminated quoted string');
        const raw = src.slice(pos, j + 1);
        items.push({ type: 'string', val: raw, line, lit: unquoteGo(raw, err) });
        pos = j + 1;
      } else if (c === '`') {
        const j = src.indexOf('`', pos + 1);
        if (j < 0) err('unterminated raw quoted string');
        const raw = src.slice(pos, j + 1);
        items.push({ type: 'string', val: raw, line, lit: raw.slice(1, -1) });
        line += (raw.match(/\n/g) ?? []).length;
        pos = j + 1;
      } else if (c === "'") {
        const m = /^'(\\.[^']*|[^'\\])'/u.exec(src.slice(pos));
        if (!m) err('unterminated character constant');
        const ch = m![1]!.startsWith('\\') ? unquoteGo(`"${m![1]}"`, err) : m![1]!;
        items.push({ type: 'number', val: m![0], line, lit: ch.codePointAt(0) });
        pos += m![0].length;
      } else if (c === '$') {
        const m = /^\$[\p{L}_\p{Nd}]*/u.exec(src.slice(pos))!;
        items.push({ type: 'variable', val: m[0], line });
        pos += m[0].length;
      } else if (c === '.' && !/[0-9]/.test(src[pos + 1] ?? '')) {
        const m = /^\.[\p{L}_][\p{L}_\p{Nd}]*/u.exec(src.slice(pos));
        if (m) {
          items.push({ type: 'field', val: m[0], line, spaced: /[ \t\r\n]/.test(src[pos - 1] ?? ' ') });
          pos += m[0].length;
        } else {
          items.push({ type: 'dot', val: '.', line });
          pos++;
        }
      } else if (/[0-9+\-.]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(
          src.slice(pos),
        );
        const text = m?.[0] ?? '';
        if (!text || text === '+' || text === '-' || text === '.')
          err(`bad number syntax: ${JSON.stringify(c)}`);
        items.push({ type: 'number', val: text, line, lit: parseGoNumber(text, err) });
        pos += text.length;
      } else if (/[\p{L}_]/u.test(c)) {
        const m = /^[\p{L}_][\p{L}_\p{Nd}]*/u.exec(src.slice(pos))!;
        const w = m[0];
        if (KEYWORDS.has(w)) items.push({ type: 'keyword', val: w, line });
        else if (w === 'true' || w === 'false') items.push({ type: 'bool', val: w, line, lit: w === 'true' });
        else if (w === 'nil') items.push({ type: 'nil', val: w, line });
        else items.push({ type: 'ident', val: w, line });
        pos += w.length;
      } else {
        err(`unexpected ${JSON.stringify(c)} in command`);
      }
    }
  }
  items.push({ type: 'eof', val: '', line });
  return items;
}

function parseGoNumber(text: string, err: (m: string) => never): number {
  const t = text.replace(/_/g, '');
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]/, '');
  let n: number;
  if (/^0[xX]/.test(body)) n = parseInt(body.slice(2), 16);
  else if (/^0[bB]/.test(body)) n = parseInt(body.slice(2), 2);
  else if (/^0[oO]/.test(body)) n = parseInt(body.slice(2), 8);
  else if (/^0[0-7]+$/.test(body)) n = parseInt(body.slice(1), 8);
  else n = Number(body);
  if (Number.isNaN(n)) err(`bad number syntax: ${JSON.stringify(text)}`);
  return neg ? -n : n;
}

/** Go's strconv.Unquote for a double-quoted literal. */
function unquoteGo(raw: string, err: (m: string) => never): string {
  let out = '';
  for (let i = 1; i < raw.length - 1; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[++i]!;
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (simple[e] !== undefined) out += simple[e];
    else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = raw.slice(i + 1, i + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) err(`invalid syntax`);
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else if (/[0-7]/.test(e)) {
      const oct = raw.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) err('invalid syntax');
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else err('invalid syntax');
  }
  return out;
}

// -------------------------------------------------------------------------------------------- parser

type Arg =
  | { k: 'dot' }
  | { k: 'field'; base: Arg | undefined; names: string[] }
  | { k: 'var'; name: string; names: string[] }
  | { k: 'lit'; v: unknown }
  | { k: 'nil' }
  | { k: 'ident'; name: string }
  | { k: 'pipe'; p: Pipeline; names: string[] };

interface Command {
  args: Arg[];
}

interface Pipeline {
  decl: string[];
  /** `=` instead of `:=`. */
  assign: boolean;
  cmds: Command[];
}

type TNode =
  | { k: 'text'; text: string }
  | { k: 'action'; p: Pipeline }
  | { k: 'if' | 'with'; p: Pipeline; list: TNode[]; elseList: TNode[] | undefined }
  | { k: 'range'; p: Pipeline; list: TNode[]; elseList: TNode[] | undefined }
  | { k: 'break' }
  | { k: 'continue' };

class TParser {
  private i = 0;
  private rangeDepth = 0;
  private vars: string[][] = [['$']];

  constructor(
    private readonly items: Item[],
    private readonly name: string,
    private readonly funcs: Record<string, GoFunc>,
  ) {}

  private err(msg: string, it: Item = this.peek()): never {
    throw new TemplateParseError(`template: ${this.name}:${it.line}: ${msg}`);
  }

  private peek(k = 0): Item {
    return this.items[Math.min(this.i + k, this.items.length - 1)]!;
  }

  private next(): Item {
    return this.items[this.i++]!;
  }

  parse(): TNode[] {
    const { list, end } = this.list();
    if (end) this.err(`unexpected {{${end}}}`);
    return list;
  }

  /** Parses nodes until eof or a `{{end}}` / `{{else …}}` (returned in `end`, the `else` action still open). */
  private list(): { list: TNode[]; end: string | undefined } {
    const list: TNode[] = [];
    for (;;) {
      const it = this.next();
      if (it.type === 'eof') return { list, end: undefined };
      if (it.type === 'text') {
        list.push({ k: 'text', text: it.val });
        continue;
      }
      // it is `{{`
      const kw = this.peek();
      if (kw.type === 'keyword') {
        switch (kw.val) {
          case 'end':
            this.next();
            this.expect('right', 'end');
            return { list, end: 'end' };
          case 'else':
            this.next();
            return { list, end: 'else' };
          case 'if':
          case 'with':
          case 'range':
            this.next();
            list.push(this.control(kw.val));
            continue;
          case 'break':
          case 'continue':
            this.next();
            if (this.rangeDepth === 0) this.err(`{{${kw.val}}} outside {{range}}`);
            this.expect('right', kw.val);
            list.push({ k: kw.val });
            continue;
          default:
            this.err(`{{${kw.val}}} is not supported`);
        }
      }
      const p = this.pipeline('command', true);
      list.push({ k: 'action', p });
    }
  }

  private expect(type: ItemType, ctx: string): Item {
    const it = this.next();
    if (it.type !== type) this.err(`unexpected ${describe(it)} in ${ctx}`, it);
    return it;
  }

  private control(kind: 'if' | 'with' | 'range'): TNode {
    this.vars.push([]);
    const p = this.pipeline(kind, true);
    if (kind === 'range') this.rangeDepth++;
    const { list, end } = this.list();
    if (kind === 'range') this.rangeDepth--;
    let elseList: TNode[] | undefined;
    if (end === 'else') {
      // `{{else if …}}` / `{{else with …}}` chain into a nested control node.
      const nxt = this.peek();
      if (
        (kind === 'if' && nxt.type === 'keyword' && nxt.val === 'if') ||
        (kind === 'with' && nxt.type === 'keyword' && nxt.val === 'with')
      ) {
        this.next();
        elseList = [this.control(kind as 'if' | 'with')];
      } else {
        this.expect('right', 'else');
        const r = this.list();
        if (r.end !== 'end') this.err(`expected end; found ${r.end ?? 'EOF'}`);
        elseList = r.list;
      }
    } else if (end !== 'end') this.err(`unexpected EOF`);
    this.vars.pop();
    return { k: kind, p, list, elseList } as TNode;
  }

  private pipeline(ctx: string, endWithRight: boolean): Pipeline {
    const pipe: Pipeline = { decl: [], assign: false, cmds: [] };
    // Declarations: $x := / $x = / $i, $e :=
    if (this.peek().type === 'variable') {
      const save = this.i;
      const names: string[] = [this.next().val];
      if (this.peek().type === 'comma' && this.peek(1).type === 'variable') {
        this.next();
        names.push(this.next().val);
      }
      const op = this.peek();
      if (op.type === 'declare' || op.type === 'assign') {
        this.next();
        pipe.decl = names;
        pipe.assign = op.type === 'assign';
        if (!pipe.assign) this.vars[this.vars.length - 1]!.push(...names);
        else for (const n of names) this.useVar(n);
      } else this.i = save;
    }
    for (;;) {
      const it = this.peek();
      if ((endWithRight && it.type === 'right') || (!endWithRight && it.type === 'rparen')) {
        this.next();
        break;
      }
      if (it.type === 'eof') this.err(`unclosed action`);
      pipe.cmds.push(this.command(endWithRight));
      if (this.peek().type === 'pipe') this.next();
    }
    if (pipe.cmds.length === 0) this.err(`missing value for ${ctx}`);
    return pipe;
  }

  private command(endWithRight: boolean): Command {
    const args: Arg[] = [];
    for (;;) {
      const it = this.peek();
      if (it.type === 'pipe' || it.type === 'right' || it.type === 'rparen' || it.type === 'eof') {
        if (!endWithRight && it.type === 'right') this.err('unclosed left paren');
        break;
      }
      args.push(this.operand());
    }
    if (args.length === 0) this.err(`missing command`);
    return { args };
  }

  private useVar(name: string): void {
    if (!this.vars.some((scope) => scope.includes(name))) this.err(`undefined variable "${name}"`);
  }

  private operand(): Arg {
    const it = this.next();
    let a: Arg;
    switch (it.type) {
      case 'dot':
        a = { k: 'dot' };
        break;
      case 'field':
        a = { k: 'field', base: undefined, names: [it.val.slice(1)] };
        break;
      case 'variable':
        this.useVar(it.val);
        a = { k: 'var', name: it.val, names: [] };
        break;
      case 'string':
      case 'number':
      case 'bool':
        a = { k: 'lit', v: it.lit };
        break;
      case 'nil':
        a = { k: 'nil' };
        break;
      case 'ident':
        if (!this.funcs[it.val]) this.err(`function "${it.val}" not defined`, it);
        a = { k: 'ident', name: it.val };
        break;
      case 'lparen':
        a = { k: 'pipe', p: this.pipeline('parenthesized pipeline', false), names: [] };
        break;
      default:
        return this.err(`unexpected ${describe(it)} in operand`, it);
    }
    // Field chains: `$x.A.B`, `(pipe).A`, `.A.B`.
    while (this.peek().type === 'field' && !this.peek().spaced) {
      const f = this.next().val.slice(1);
      if (a.k === 'field' || a.k === 'var' || a.k === 'pipe') a.names.push(f);
      else this.err(`unexpected . after term ${JSON.stringify(it.val)}`);
    }
    return a;
  }
}

function describe(it: Item): string {
  return it.type === 'eof' ? 'EOF' : `"${it.val}"`;
}

// ------------------------------------------------------------------------------------------ execution

/** A template function: receives evaluated arguments (undefined = no value); throws to fail. */
export type GoFunc = (...args: unknown[]) => unknown;

class BreakSignal {}
class ContinueSignal {}

function isTrue(v: unknown): boolean {
  if (v === NO_VALUE || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Go's `fmt.Sprint` of one value, as text/template prints it. */
export function goPrint(v: unknown): string {
  if (v === NO_VALUE) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatGoNumber(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => (x === null ? '<nil>' : goPrint(x))).join(' ')}]`;
  if (v instanceof Map) {
    const keys = [...v.keys()].sort();
    return `map[${keys.map((k) => `${k}:${goPrint(v.get(k))}`).join(' ')}]`;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return `map[${keys.map((k) => `${k}:${goPrint(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** Integers in decimal; other floats as Go's %v (`%g`, shortest). */
function formatGoNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return formatFloatF(n);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [m, e] = n.toExponential().split('e');
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  return String(n);
}

class Exec {
  private out = '';
  private vars: { name: string; value: unknown }[] = [];

  constructor(
    private readonly funcs: Record<string, GoFunc>,
    private readonly name: string,
  ) {}

  run(nodes: TNode[], data: unknown): string {
    this.vars = [{ name: '$', value: data }];
    this.walk(nodes, data);
    return this.out;
  }

  private err(msg: string): never {
    throw new TemplateExecError(`template: ${this.name}: ${msg}`);
  }

  private walk(nodes: TNode[], dot: unknown): void {
    for (const n of nodes) {
      switch (n.k) {
        case 'text':
          this.out += n.text;
          break;
        case 'action': {
          const v = this.pipeline(n.p, dot);
          if (n.p.decl.length === 0) this.out += goPrint(v);
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.vars.length;
          const v = this.pipeline(n.p, dot);
          if (isTrue(v)) this.walk(n.list, n.k === 'with' ? v : dot);
          else if (n.elseList) this.walk(n.elseList, dot);
          this.vars.length = mark;
          break;
        }
        case 'range':
          this.range(n, dot);
          break;
        case 'break':
          throw new BreakSignal();
        case 'continue':
          throw new ContinueSignal();
      }
    }
  }

  private range(n: Extract<TNode, { k: 'range' }>, dot: unknown): void {
    const mark = this.vars.length;
    const decl = n.p.decl;
    const p = { ...n.p, decl: [] as string[] };
    const v = this.pipeline(p, dot);
    let entries: [unknown, unknown][];
    if (Array.isArray(v)) entries = v.map((x, i) => [i, x]);
    else if (v instanceof Map) entries = [...v.keys()].sort().map((k) => [k, v.get(k)]);
    else if (v && typeof v === 'object')
      entries = Object.keys(v)
        .sort()
        .map((k) => [k, (v as Record<string, unknown>)[k]]);
    else if (typeof v === 'number' && Number.isInteger(v))
      entries = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
    else if (v === NO_VALUE || v === null) entries = [];
    else return this.err(`range can't iterate over ${goPrint(v)}`);
    if (entries.length === 0) {
      if (n.elseList) this.walk(n.elseList, dot);
      this.vars.length = mark;
      return;
    }
    for (const [k, e] of entries) {
      const inner = this.vars.length;
      if (decl.length === 1) this.vars.push({ name: decl[0]!, value: e });
      else if (decl.length === 2) this.vars.push({ name: decl[0]!, value: k }, { name: decl[1]!, value: e });
      try {
        this.walk(n.list, e);
      } catch (sig) {
        if (sig instanceof BreakSignal) {
          this.vars.length = inner;
          break;
        }
        if (!(sig instanceof ContinueSignal)) throw sig;
      }
      this.vars.length = inner;
    }
    this.vars.length = mark;
  }

  private pipeline(p: Pipeline, dot: unknown): unknown {
    let v: unknown = NO_VALUE;
    let first = true;
    for (const c of p.cmds) {
      v = this.command(c, dot, first ? MISSING : v);
      first = false;
    }
    for (const name of p.decl) {
      if (p.assign) {
        const slot = [...this.vars].reverse().find((x) => x.name === name);
        if (slot) slot.value = v;
      } else this.vars.push({ name, value: v });
    }
    return v;
  }

  private command(c: Command, dot: unknown, final: unknown): unknown {
    const first = c.args[0]!;
    if (first.k === 'ident') return this.call(first.name, c.args.slice(1), dot, final);
    if (c.args.length > 1 || final !== MISSING) {
      if (first.k === 'field' || first.k === 'var' || first.k === 'pipe') {
        // Method calls with arguments are not supported; Go would fail for map fields anyway.
        this.err(`can't give argument to non-function ${describeArg(first)}`);
      }
      this.err(`can't give argument to non-function ${describeArg(first)}`);
    }
    return this.arg(first, dot);
  }

  private arg(a: Arg, dot: unknown): unknown {
    switch (a.k) {
      case 'dot':
        return dot;
      case 'lit':
        return a.v;
      case 'nil':
        return null;
      case 'field':
        return this.fields(dot, a.names);
      case 'var': {
        const slot = [...this.vars].reverse().find((x) => x.name === a.name);
        if (!slot) this.err(`undefined variable: ${a.name}`);
        return this.fields(slot!.value, a.names);
      }
      case 'pipe': {
        const mark = this.vars.length;
        const v = this.pipeline(a.p, dot);
        this.vars.length = mark;
        return this.fields(v, a.names);
      }
      case 'ident':
        return this.call(a.name, [], dot, MISSING);
    }
  }

  private fields(v: unknown, names: string[]): unknown {
    for (const name of names) {
      if (v instanceof Map) v = v.has(name) ? v.get(name) : NO_VALUE;
      else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        v = Object.prototype.hasOwnProperty.call(o, name) ? o[name] : NO_VALUE;
      } else if (v === NO_VALUE || v === null) this.err(`nil pointer evaluating interface {}.${name}`);
      else this.err(`can't evaluate field ${name} in type ${goTypeName(v)}`);
    }
    return v;
  }

  private call(name: string, args: Arg[], dot: unknown, final: unknown): unknown {
    const fn = this.funcs[name];
    if (!fn) this.err(`"${name}" is not a defined function`);
    // and/or short-circuit (Go 1.18+).
    if (name === 'and' || name === 'or') {
      const vals = args.map((a) => () => this.arg(a, dot));
      if (final !== MISSING) vals.push(() => final);
      if (vals.length === 0) this.err(`wrong number of args for ${name}: want at least 1 got 0`);
      let v: unknown;
      for (const get of vals) {
        v = get();
        if (name === 'and' ? !isTrue(v) : isTrue(v)) return v;
      }
      return v;
    }
    const vals = args.map((a) => this.arg(a, dot));
    if (final !== MISSING) vals.push(final);
    try {
      return fn!(...vals);
    } catch (err) {
      if (err instanceof TemplateExecError) throw err;
      return this.err(`error calling ${name}: ${(err as Error).message}`);
    }
  }
}

/** Marker for "no previous command in the pipeline" (different from NO_VALUE, a missing key). */
const MISSING = Symbol('missing');

function describeArg(a: Arg): string {
  switch (a.k) {
    case 'field':
      return '.' + a.names.join('.');
    case 'var':
      return a.name + a.names.map((n) => '.' + n).join('');
    case 'dot':
      return '.';
    default:
      return 'value';
  }
}

function goTypeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'interface {}';
}

// -------------------------------------------------------------------------------------------- functions

/** A string parameter of a Go function: "no value" and non-strings are errors, as reflect's checks. */
function s(v: unknown, fn: string): string {
  if (typeof v === 'string') return v;
  if (v === NO_VALUE) throw new TemplateExecError(`invalid value; expected string`);
  throw new TemplateExecError(`wrong type for value; expected string; got ${goTypeName(v)} (${fn})`);
}

function int(v: unknown, fn: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (v === NO_VALUE) throw new TemplateExecError(`invalid value; expected int`);
  throw new TemplateExecError(`wrong type for value; expected int; got ${goTypeName(v)} (${fn})`);
}

/** sprig's `toString` / `strval`. */
function strval(v: unknown): string {
  if (v === NO_VALUE || v === null) return v === null ? '<nil>' : '<no value>';
  return goPrint(v);
}

/** sprig's `toInt64` (cast.ToInt64E, 0 on failure). */
function toInt(v: unknown): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^[+-]?\d+$/.test(t)) return Number(t);
    if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t, 16);
    return 0;
  }
  return 0;
}

function toFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    return v.trim() === '' || Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

/** Go `strings.Trim`-family cutset helpers (by code point). */
function trimSet(str: string, cutset: string, left: boolean, right: boolean): string {
  const set = new Set([...cutset]);
  const cs = [...str];
  let a = 0;
  let b = cs.length;
  if (left) while (a < b && set.has(cs[a]!)) a++;
  if (right) while (b > a && set.has(cs[b - 1]!)) b--;
  return cs.slice(a, b).join('');
}

/** Go `strings.TrimSpace` (Unicode White_Space). */
function trimSpace(str: string): string {
  return str.replace(/^[\s\u0085]+|[\s\u0085]+$/g, '');
}

/** Go `strings.Replace(s, old, new, n)`; n < 0 replaces all; an empty `old` matches between runes. */
export function goReplace(str: string, oldS: string, newS: string, n: number): string {
  if (oldS === newS || n === 0) return str;
  if (oldS === '') {
    const runes = [...str];
    let out = '';
    let count = 0;
    for (let i = 0; i <= runes.length; i++) {
      if (n < 0 || count < n) {
        out += newS;
        count++;
      }
      if (i < runes.length) out += runes[i];
    }
    return out;
  }
  let out = '';
  let rest = str;
  let count = 0;
  while (n < 0 || count < n) {
    const i = rest.indexOf(oldS);
    if (i < 0) break;
    out += rest.slice(0, i) + newS;
    rest = rest.slice(i + oldS.length);
    count++;
  }
  return out + rest;
}

const reCache = new Map<string, RE2JS>();

/** Go `regexp.MustCompile` (a syntax error throws; text/template reports it as an execution error). */
function mustCompile(re: string): RE2JS {
  let c = reCache.get(re);
  if (!c) {
    c = RE2JS.compile(re);
    if (reCache.size > 256) reCache.clear();
    reCache.set(re, c);
  }
  return c;
}

/** Go `Regexp.ReplaceAllString` (with `$1`/`${name}` expansion) or `ReplaceAllLiteralString`. */
export function goRegexReplaceAll(re: RE2JS, src: string, repl: string, literal: boolean): string {
  const matches = re.re2().findAllSubmatchIndex(src, -1) as number[][] | null;
  if (!matches || matches.length === 0) return src;
  const tpl = literal
    ? undefined
    : compileTemplate(repl, {
        names: re.namedGroups(),
        numGroups: re.groupCount(),
      } as unknown as RelabelRegexp);
  let out = '';
  let last = 0;
  for (const m of matches) {
    out += src.slice(last, m[0]) + (tpl ? expandTemplate(tpl, src, m) : repl);
    last = m[1]!;
  }
  return out + src.slice(last);
}

function hex(alg: string, data: string): string {
  return createHash(alg).update(data, 'utf8').digest('hex');
}

function cmpKind(v: unknown): string {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v === NO_VALUE) return 'invalid';
  if (v === null) return 'nil';
  return 'other';
}

function goEq(a: unknown, ...bs: unknown[]): boolean {
  if (bs.length === 0) throw new TemplateExecError('missing argument for comparison');
  for (const b of bs) {
    const ka = cmpKind(a);
    const kb = cmpKind(b);
    if (ka !== kb) {
      if (ka !== 'invalid' && kb !== 'invalid' && ka !== 'nil' && kb !== 'nil')
        throw new TemplateExecError('incompatible types for comparison');
      continue;
    }
    if (ka === 'other') throw new TemplateExecError('non-comparable types');
    if (a === b) return true;
  }
  return false;
}

function goLess(a: unknown, b: unknown): boolean {
  const ka = cmpKind(a);
  if (ka !== cmpKind(b)) throw new TemplateExecError('incompatible types for comparison');
  if (ka !== 'number' && ka !== 'string') throw new TemplateExecError('invalid type for comparison');
  return (a as number) < (b as number);
}

function goLen(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  if (v && typeof v === 'object') return Object.keys(v).length;
  throw new TemplateExecError(`len of type ${goTypeName(v)}`);
}

/** Go `fmt.Sprintf` for the verbs templates use: %s %v %d %q %f %t %x %%. */
function goSprintf(format: string, ...args: unknown[]): string {
  let i = 0;
  return (
    format.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (_m, flags: string, width, prec, verb) => {
      if (verb === '%') return '%';
      if (i >= args.length) return `%!${verb}(MISSING)`;
      const v = args[i++];
      let out: string;
      switch (verb) {
        case 'd':
          out = typeof v === 'number' ? String(Math.trunc(v)) : `%!d(${goTypeName(v)}=${goPrint(v)})`;
          break;
        case 'f':
          out =
            typeof v === 'number'
              ? v.toFixed(prec === undefined ? 6 : Number(prec))
              : `%!f(${goTypeName(v)}=${goPrint(v)})`;
          break;
        case 'q':
          out = JSON.stringify(typeof v === 'string' ? v : goPrint(v));
          break;
        case 'x':
          out =
            typeof v === 'number'
              ? Math.trunc(v).toString(16)
              : Buffer.from(goPrint(v), 'utf8').toString('hex');
          break;
        case 't':
          out = typeof v === 'boolean' ? String(v) : `%!t(${goTypeName(v)}=${goPrint(v)})`;
          break;
        default:
          out = goPrint(v);
      }
      if (width !== undefined) {
        const w = Number(width);
        out = flags.includes('-') ? out.padEnd(w) : out.padStart(w, flags.includes('0') ? '0' : ' ');
      }
      return out;
    }) +
    (i < args.length
      ? `%!(EXTRA ${args
          .slice(i)
          .map((a) => `${goTypeName(a)}=${goPrint(a)}`)
          .join(', ')})`
      : '')
  );
}

/** Go's fmt.Sprint: spaces between operands when neither is a string. */
function goSprint(...args: unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    if (i > 0 && typeof args[i] !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += goPrint(args[i]);
  }
  return out;
}

function nargs(name: string, args: unknown[], n: number): void {
  if (args.length !== n)
    throw new TemplateExecError(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

/** The functions of Alloy's template map (Go builtins + sprig subset + Alloy's). */
export const TEMPLATE_FUNCS: Record<string, GoFunc> = {
  // Go text/template builtins
  and: () => undefined,
  or: () => undefined,
  not: (...a) => (nargs('not', a, 1), !isTrue(a[0])),
  eq: (a, ...b) => goEq(a, ...b),
  ne: (...a) => (nargs('ne', a, 2), !goEq(a[0], a[1])),
  lt: (...a) => (nargs('lt', a, 2), goLess(a[0], a[1])),
  le: (...a) => (nargs('le', a, 2), goLess(a[0], a[1]) || goEq(a[0], a[1])),
  gt: (...a) => (nargs('gt', a, 2), !goLess(a[0], a[1]) && !goEq(a[0], a[1])),
  ge: (...a) => (nargs('ge', a, 2), !goLess(a[0], a[1])),
  len: (...a) => (nargs('len', a, 1), goLen(a[0])),
  index: (v, ...keys) => {
    let cur = v;
    for (const k of keys) {
      if (Array.isArray(cur) || typeof cur === 'string') {
        const i = int(k, 'index');
        if (i < 0 || i >= cur.length) throw new TemplateExecError(`index out of range: ${i}`);
        cur = typeof cur === 'string' ? Buffer.from(cur, 'utf8')[i] : cur[i];
      } else if (cur instanceof Map) cur = cur.has(k) ? cur.get(k) : NO_VALUE;
      else if (cur && typeof cur === 'object') cur = (cur as Record<string, unknown>)[String(k)];
      else throw new TemplateExecError(`can't index item of type ${goTypeName(cur)}`);
    }
    return cur;
  },
  print: (...a) => goSprint(...a),
  println: (...a) => a.map(goPrint).join(' ') + '\n',
  printf: (f, ...a) => goSprintf(s(f, 'printf'), ...a),
  urlquery: (...a) => encodeURIComponent(goSprint(...a)).replace(/%20/g, '+'),
  html: (...a) =>
    goSprint(...a).replace(
      /[&'<>"\0]/g,
      (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[c]!,
    ),
  js: (...a) =>
    JSON.stringify(goSprint(...a))
      .slice(1, -1)
      .replace(/'/g, "\\'")
      .replace(/</g, '\\u003C')
      .replace(/>/g, '\\u003E'),
  slice: (v, ...idx) => {
    const i = idx.length > 0 ? int(idx[0], 'slice') : 0;
    if (typeof v === 'string') return v.slice(i, idx.length > 1 ? int(idx[1], 'slice') : undefined);
    if (Array.isArray(v)) return v.slice(i, idx.length > 1 ? int(idx[1], 'slice') : undefined);
    throw new TemplateExecError(`can't slice item of type ${goTypeName(v)}`);
  },

  // Alloy's functions (override sprig's of the same name)
  ToLower: (...a) => (nargs('ToLower', a, 1), goToLower(s(a[0], 'ToLower'))),
  ToUpper: (...a) => (nargs('ToUpper', a, 1), goToUpper(s(a[0], 'ToUpper'))),
  Replace: (...a) => (
    nargs('Replace', a, 4),
    goReplace(s(a[0], 'Replace'), s(a[1], 'Replace'), s(a[2], 'Replace'), int(a[3], 'Replace'))
  ),
  Trim: (...a) => (nargs('Trim', a, 2), trimSet(s(a[0], 'Trim'), s(a[1], 'Trim'), true, true)),
  TrimLeft: (...a) => (
    nargs('TrimLeft', a, 2),
    trimSet(s(a[0], 'TrimLeft'), s(a[1], 'TrimLeft'), true, false)
  ),
  TrimRight: (...a) => (
    nargs('TrimRight', a, 2),
    trimSet(s(a[0], 'TrimRight'), s(a[1], 'TrimRight'), false, true)
  ),
  TrimPrefix: (...a) => {
    nargs('TrimPrefix', a, 2);
    const str = s(a[0], 'TrimPrefix');
    const p = s(a[1], 'TrimPrefix');
    return str.startsWith(p) ? str.slice(p.length) : str;
  },
  TrimSuffix: (...a) => {
    nargs('TrimSuffix', a, 2);
    const str = s(a[0], 'TrimSuffix');
    const p = s(a[1], 'TrimSuffix');
    return p && str.endsWith(p) ? str.slice(0, str.length - p.length) : str;
  },
  TrimSpace: (...a) => (nargs('TrimSpace', a, 1), trimSpace(s(a[0], 'TrimSpace'))),
  Hash: (...a) => (nargs('Hash', a, 2), hex('sha3-256', s(a[0], 'Hash') + s(a[1], 'Hash'))),
  Sha2Hash: (...a) => (nargs('Sha2Hash', a, 2), hex('sha256', s(a[0], 'Sha2Hash') + s(a[1], 'Sha2Hash'))),
  regexReplaceAll: (...a) => (
    nargs('regexReplaceAll', a, 3),
    goRegexReplaceAll(
      mustCompile(s(a[0], 'regexReplaceAll')),
      s(a[1], 'regexReplaceAll'),
      s(a[2], 'regexReplaceAll'),
      false,
    )
  ),
  regexReplaceAllLiteral: (...a) => (
    nargs('regexReplaceAllLiteral', a, 3),
    goRegexReplaceAll(
      mustCompile(s(a[0], 'regexReplaceAllLiteral')),
      s(a[1], 'regexReplaceAllLiteral'),
      s(a[2], 'regexReplaceAllLiteral'),
      true,
    )
  ),

  // sprig (strings)
  lower: (v) => goToLower(s(v, 'lower')),
  upper: (v) => goToUpper(s(v, 'upper')),
  title: (v) =>
    s(v, 'title').replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase()),
  trim: (v) => trimSpace(s(v, 'trim')),
  trimAll: (cut, v) => trimSet(s(v, 'trimAll'), s(cut, 'trimAll'), true, true),
  trimPrefix: (p, v) => {
    const str = s(v, 'trimPrefix');
    return str.startsWith(s(p, 'trimPrefix')) ? str.slice((p as string).length) : str;
  },
  trimSuffix: (p, v) => {
    const str = s(v, 'trimSuffix');
    const suf = s(p, 'trimSuffix');
    return suf && str.endsWith(suf) ? str.slice(0, str.length - suf.length) : str;
  },
  replace: (o, n, v) => goReplace(s(v, 'replace'), s(o, 'replace'), s(n, 'replace'), -1),
  contains: (sub, v) => s(v, 'contains').includes(s(sub, 'contains')),
  hasPrefix: (p, v) => s(v, 'hasPrefix').startsWith(s(p, 'hasPrefix')),
  hasSuffix: (p, v) => s(v, 'hasSuffix').endsWith(s(p, 'hasSuffix')),
  repeat: (n, v) => s(v, 'repeat').repeat(Math.max(0, int(n, 'repeat'))),
  substr: (start, end, v) => {
    const str = s(v, 'substr');
    let a = toInt(start);
    let b = toInt(end);
    if (a < 0) return str.slice(0, b);
    if (b < 0 || b > str.length) b = str.length;
    if (a > b) a = b;
    return str.slice(a, b);
  },
  trunc: (n, v) => {
    const str = s(v, 'trunc');
    const c = toInt(n);
    if (c < 0 && str.length + c > 0) return str.slice(str.length + c);
    if (c >= 0 && str.length > c) return str.slice(0, c);
    return str;
  },
  quote: (...a) =>
    a
      .filter((x) => x !== NO_VALUE && x !== null)
      .map((x) => JSON.stringify(strval(x)))
      .join(' '),
  squote: (...a) =>
    a
      .filter((x) => x !== NO_VALUE && x !== null)
      .map((x) => `'${strval(x)}'`)
      .join(' '),
  cat: (...a) =>
    a
      .filter((x) => x !== NO_VALUE && x !== null)
      .map(strval)
      .join(' '),
  nospace: (v) => s(v, 'nospace').replace(/\s+/g, ''),
  toString: (v: unknown) => strval(v),
  split: (sep, v) => {
    const out: Record<string, string> = {};
    s(v, 'split')
      .split(s(sep, 'split'))
      .forEach((p, i) => (out[`_${i}`] = p));
    return out;
  },
  splitList: (sep, v) => s(v, 'splitList').split(s(sep, 'splitList')),
  join: (sep, v) => (Array.isArray(v) ? v.map(strval).join(s(sep, 'join')) : strval(v)),
  indent: (n, v) => {
    const pad = ' '.repeat(int(n, 'indent'));
    return pad + s(v, 'indent').replace(/\n/g, '\n' + pad);
  },
  nindent: (n, v) => {
    const pad = ' '.repeat(int(n, 'nindent'));
    return '\n' + pad + s(v, 'nindent').replace(/\n/g, '\n' + pad);
  },
  // sprig (defaults, logic)
  default: (d, ...given) => (given.length === 0 || !isTrue(given[0]) ? d : given[0]),
  empty: (v) => !isTrue(v),
  coalesce: (...a) => a.find((x) => isTrue(x)) ?? null,
  ternary: (t, f, c) => (c === true ? t : f),
  // sprig (conversion, math)
  atoi: (v) => {
    const t = s(v, 'atoi');
    return /^[+-]?\d+$/.test(t) ? Number(t) : 0;
  },
  int: (v) => toInt(v),
  int64: (v) => toInt(v),
  float64: (v) => toFloat(v),
  add: (...a) => a.reduce((sum: number, x) => sum + toInt(x), 0),
  add1: (v) => toInt(v) + 1,
  sub: (a, b) => toInt(a) - toInt(b),
  mul: (...a) => a.reduce((p: number, x) => p * toInt(x), 1),
  div: (a, b) => {
    const d = toInt(b);
    if (d === 0) throw new TemplateExecError('runtime error: integer divide by zero');
    return Math.trunc(toInt(a) / d);
  },
  mod: (a, b) => {
    const d = toInt(b);
    if (d === 0) throw new TemplateExecError('runtime error: integer divide by zero');
    return toInt(a) % d;
  },
  max: (a, ...r) => r.reduce((m: number, x) => Math.max(m, toInt(x)), toInt(a)),
  min: (a, ...r) => r.reduce((m: number, x) => Math.min(m, toInt(x)), toInt(a)),
  floor: (v) => Math.floor(toFloat(v)),
  ceil: (v) => Math.ceil(toFloat(v)),
  round: (v, p) => {
    const f = 10 ** toInt(p);
    return Math.round(toFloat(v) * f) / f;
  },
  // sprig (encoding, hashes)
  b64enc: (v) => Buffer.from(strval(v), 'utf8').toString('base64'),
  b64dec: (v) => {
    const t = strval(v);
    return /^[A-Za-z0-9+/]*={0,2}$/.test(t) && t.length % 4 === 0
      ? Buffer.from(t, 'base64').toString('utf8')
      : '';
  },
  sha1sum: (v) => hex('sha1', s(v, 'sha1sum')),
  sha256sum: (v) => hex('sha256', s(v, 'sha256sum')),
  toJson: (v) =>
    JSON.stringify(v === NO_VALUE ? null : v, (_k, x: unknown) =>
      x instanceof Map ? Object.fromEntries(x) : x,
    ) ?? 'null',
  fromJson: (v) => {
    try {
      return JSON.parse(s(v, 'fromJson')) as unknown;
    } catch {
      return {};
    }
  },
  // sprig (regex)
  regexMatch: (re, v) => mustCompile(s(re, 'regexMatch')).matcher(s(v, 'regexMatch')).find(),
  regexFind: (re, v) => {
    const m = mustCompile(s(re, 'regexFind')).matcher(s(v, 'regexFind'));
    return m.find() ? m.group(0) : '';
  },
  regexFindAll: (re, v, n) => {
    const src = s(v, 'regexFindAll');
    const all = (mustCompile(s(re, 'regexFindAll')).re2().findAllSubmatchIndex(src, int(n, 'regexFindAll')) ??
      []) as number[][];
    return all.map((m) => src.slice(m[0], m[1]));
  },
  regexSplit: (re, v, n) => {
    const src = s(v, 'regexSplit');
    const lim = int(n, 'regexSplit');
    if (lim === 0) return [];
    const all = (mustCompile(s(re, 'regexSplit')).re2().findAllSubmatchIndex(src, -1) ?? []) as number[][];
    const out: string[] = [];
    let beg = 0;
    for (const m of all) {
      if (lim > 0 && out.length === lim - 1) break;
      if (m[1] === 0) continue;
      out.push(src.slice(beg, m[0]));
      beg = m[1]!;
    }
    if (beg <= src.length) out.push(src.slice(beg));
    return out;
  },
  // sprig (lists, dicts)
  list: (...a) => a,
  first: (v) => (Array.isArray(v) ? (v.length ? v[0] : null) : null),
  last: (v) => (Array.isArray(v) ? (v.length ? v[v.length - 1] : null) : null),
  has: (needle, v) => Array.isArray(v) && v.some((x) => x === needle),
  dict: (...a) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < a.length; i += 2) out[strval(a[i])] = i + 1 < a.length ? a[i + 1] : '';
    return out;
  },
  get: (d, k) => {
    const o = d as Record<string, unknown>;
    return o && Object.prototype.hasOwnProperty.call(o, s(k, 'get')) ? o[k as string] : '';
  },
  hasKey: (d, k) =>
    Boolean(d && typeof d === 'object' && Object.prototype.hasOwnProperty.call(d, s(k, 'hasKey'))),
  keys: (...ds) => ds.flatMap((d) => (d && typeof d === 'object' ? Object.keys(d) : [])),
  // sprig (time): the current time in Go's default format is rarely used in pipelines
  now: () => new Date(),
  unixEpoch: (d) => String(Math.floor((d instanceof Date ? d.getTime() : Date.now()) / 1000)),
};

/** A parsed template, executed with `execute(data)`. */
export interface GoTemplate {
  readonly source: string;
  /**
   * Runs the template. `data` is a plain object or Map of string values.
   * @throws TemplateExecError when a function fails or a value has the wrong type.
   */
  execute(data: unknown): string;
}

/**
 * Parses a template with Alloy's function map (name "pipeline_template", as Alloy's).
 * @throws TemplateParseError ("template: pipeline_template:1: function \"foo\" not defined", …).
 */
export function parseGoTemplate(source: string, funcs: Record<string, GoFunc> = TEMPLATE_FUNCS): GoTemplate {
  const name = 'pipeline_template';
  const nodes = new TParser(lex(source, name), name, funcs).parse();
  return {
    source,
    execute: (data) => new Exec(funcs, name).run(nodes, data),
  };
}
