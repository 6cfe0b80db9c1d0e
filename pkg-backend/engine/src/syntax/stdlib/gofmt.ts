/**
 * Go `fmt.Sprintf` over Go values (`GoAny`), as `string.format` uses it: flags `#0+- `, width and
 * precision (also `*` and `[n]` argument indexes), the verbs of bool, integers, float64, string,
 * slices and maps, and Go's error texts (`%!d(string=x)`, `%!v(MISSING)`, `%!(EXTRA …)`,
 * `%!(NOVERB)`, `%!(BADWIDTH)`, `%!(BADPREC)`, `%!v(BADINDEX)`).
 */
import { Capsule, FuncValue, Secret } from '../value.js';
import { GoFloat, GoInt, type GoAny } from './convert.js';
import { canBackquote, formatFloat, goQuote, goQuoteRune, isPrint, utf8Bytes } from './strconv.js';

const LDIGITS = '0123456789abcdefx';
const UDIGITS = '0123456789ABCDEFX';

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Go type name of a dynamic value, as `%T` and bad-verb output print it. */
export function goTypeName(v: GoAny): string {
  if (v === null) return '<nil>';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (v instanceof GoInt) return v.type;
  if (v instanceof GoFloat) return 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof Map) return 'map[string]interface {}';
  if (v instanceof Secret) return 'alloytypes.Secret';
  if (v instanceof FuncValue) return 'func(...interface {}) (interface {}, error)';
  return (v as Capsule).typeName;
}

class Printer {
  buf = '';
  wid = 0;
  prec = 0;
  widPresent = false;
  precPresent = false;
  minus = false;
  plus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  /** Argument being printed at top level (for bad-verb output), undefined inside composites. */
  arg: GoAny | undefined = undefined;
  hasArg = false;

  clearflags(): void {
    this.widPresent = this.precPresent = this.minus = this.plus = this.sharp = false;
    this.space = this.zero = this.plusV = this.sharpV = false;
    this.wid = this.prec = 0;
  }

  writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.zero && !this.minus ? '0' : ' ').repeat(n);
  }

  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (!this.minus) {
      this.writePadding(width);
      this.buf += s;
    } else {
      this.buf += s;
      this.writePadding(width);
    }
  }

  fmtBoolean(v: boolean): void {
    this.pad(v ? 'true' : 'false');
  }

  /** fmt.fmtInteger: u is the two's-complement 64-bit pattern. */
  fmtIntegerRaw(u: bigint, base: number, signed: boolean, verb: string, digits: string): void {
    const negative = signed && BigInt.asIntN(64, u) < 0n;
    if (negative) u = BigInt.asUintN(64, -BigInt.asIntN(64, u));
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = oldZero;
        return;
      }
    } else if (this.zero && !this.minus && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let s = '';
    const b = BigInt(base);
    do {
      s = digits[Number(u % b)]! + s;
      u /= b;
    } while (u > 0n);
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    if (this.sharp) {
      if (base === 2) s = '0b' + s;
      else if (base === 8 && s[0] !== '0') s = '0' + s;
      else if (base === 16) s = '0' + digits[16] + s;
    }
    if (verb === 'O') s = '0o' + s;
    if (negative) s = '-' + s;
    else if (this.plus) s = '+' + s;
    else if (this.space) s = ' ' + s;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  fmtUnicode(u: bigint): void {
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    let s = u.toString(16).toUpperCase();
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    s = 'U+' + s;
    if (this.sharp && u <= 0x10ffffn && isPrint(Number(u))) s += " '" + String.fromCodePoint(Number(u)) + "'";
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  fmtInteger(v: bigint, signed: boolean, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.sharpV && !signed) {
          const sharp = this.sharp;
          this.sharp = true;
          this.fmtIntegerRaw(v, 16, false, 'v', LDIGITS);
          this.sharp = sharp;
        } else this.fmtIntegerRaw(v, 10, signed, verb, LDIGITS);
        return;
      case 'd':
        return this.fmtIntegerRaw(v, 10, signed, verb, LDIGITS);
      case 'b':
        return this.fmtIntegerRaw(v, 2, signed, verb, LDIGITS);
      case 'o':
      case 'O':
        return this.fmtIntegerRaw(v, 8, signed, verb, LDIGITS);
      case 'x':
        return this.fmtIntegerRaw(v, 16, signed, verb, LDIGITS);
      case 'X':
        return this.fmtIntegerRaw(v, 16, signed, verb, UDIGITS);
      case 'c': {
        const u = BigInt.asUintN(64, v);
        const cp = u > 0x10ffffn || (u >= 0xd800n && u <= 0xdfffn) ? 0xfffd : Number(u);
        return this.pad(String.fromCodePoint(cp));
      }
      case 'q': {
        const u = BigInt.asUintN(64, v);
        return this.pad(goQuoteRune(u > 0x10ffffn ? 0xfffd : Number(u), this.plus));
      }
      case 'U':
        return this.fmtUnicode(BigInt.asUintN(64, v));
      default:
        return this.badVerb(verb);
    }
  }

  fmtFloatRaw(v: number, verb: string, prec: number): void {
    if (this.precPresent) prec = this.prec;
    let num = formatFloat(v, verb === 'F' ? 'f' : verb, prec);
    num = num[0] === '-' || num[0] === '+' ? num : '+' + num;
    if (this.space && num[0] === '+' && !this.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = this.zero;
      this.zero = false;
      if (num[1] === 'N' && !this.space && !this.plus) num = num.slice(1);
      this.pad(num);
      this.zero = oldZero;
      return;
    }
    if (this.sharp && verb !== 'b') {
      let digits = 0;
      if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') digits = prec === -1 ? 6 : prec;
      let tail = '';
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      for (let i = 1; i < num.length; i++) {
        const c = num[i]!;
        if (c === '.') hasDecimalPoint = true;
        else if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
          tail = num.slice(i);
          num = num.slice(0, i);
          break;
        } else {
          if (c !== '0') sawNonzeroDigit = true;
          if (sawNonzeroDigit) digits--;
        }
      }
      if (!hasDecimalPoint) {
        if (num.length === 2 && num[1] === '0') digits--;
        num += '.';
      }
      if (digits > 0) num += '0'.repeat(digits);
      num += tail;
    }
    if (this.plus || num[0] !== '+') {
      if (this.zero && !this.minus && this.widPresent && this.wid > num.length) {
        this.buf += num[0];
        this.writePadding(this.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  fmtFloat(v: number, verb: string): void {
    switch (verb) {
      case 'v':
        return this.fmtFloatRaw(v, 'g', -1);
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        return this.fmtFloatRaw(v, verb, -1);
      case 'f':
      case 'e':
      case 'E':
      case 'F':
        return this.fmtFloatRaw(v, verb, 6);
      default:
        return this.badVerb(verb);
    }
  }

  truncate(s: string): string {
    if (!this.precPresent) return s;
    let n = this.prec;
    let i = 0;
    for (const ch of s) {
      if (--n < 0) return s.slice(0, i);
      i += ch.length;
    }
    return s;
  }

  fmtSbx(s: string, digits: string): void {
    const bytes = utf8Bytes(s);
    let length = bytes.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) width += 2;
    } else {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    let out = this.sharp ? '0' + digits[16] : '';
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        out += ' ';
        if (this.sharp) out += '0' + digits[16];
      }
      const c = bytes[i]!;
      out += digits[c >> 4]! + digits[c & 15]!;
    }
    this.buf += out;
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.sharp && canBackquote(s)) {
      this.pad('`' + s + '`');
      return;
    }
    this.pad(goQuote(s, this.plus));
  }

  fmtString(v: string, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.sharpV) this.fmtQ(v);
        else this.pad(this.truncate(v));
        return;
      case 's':
        return this.pad(this.truncate(v));
      case 'x':
        return this.fmtSbx(v, LDIGITS);
      case 'X':
        return this.fmtSbx(v, UDIGITS);
      case 'q':
        return this.fmtQ(v);
      default:
        return this.badVerb(verb);
    }
  }

  badVerb(verb: string): void {
    this.buf += '%!' + verb + '(';
    if (this.hasArg && this.arg !== null && this.arg !== undefined) {
      const arg = this.arg;
      this.buf += goTypeName(arg) + '=';
      this.printArg(arg, 'v');
    } else if (this.badValue !== undefined) {
      const value = this.badValue;
      this.buf += goTypeName(value) + '=';
      this.printValue(value, 'v', 0);
    } else this.buf += '<nil>';
    this.buf += ')';
  }

  /** The composite element being printed (Go's p.value), used by badVerb at depth > 0. */
  badValue: GoAny | undefined = undefined;

  printArg(arg: GoAny, verb: string): void {
    this.arg = arg;
    this.hasArg = true;
    this.badValue = undefined;
    if (arg === null) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb);
      return;
    }
    if (verb === 'T') {
      this.pad(this.truncate(goTypeName(arg)));
      return;
    }
    if (verb === 'p') {
      this.fmtPointer(arg, verb);
      return;
    }
    this.printValue(arg, verb, 0);
  }

  fmtPointer(v: GoAny, verb: string): void {
    // Go prints a machine address for slices, maps and funcs; there is none to show here.
    if (Array.isArray(v) || v instanceof Map || v instanceof FuncValue) {
      if (verb === 'v' || verb === 'p') this.pad('0x0');
      else this.fmtIntegerRaw(0n, 16, false, verb, LDIGITS);
      return;
    }
    this.badVerb(verb);
  }

  printValue(v: GoAny, verb: string, depth: number): void {
    if (depth > 0) {
      this.hasArg = false;
      this.arg = undefined;
      this.badValue = v === null ? undefined : v;
    }
    if (v === null) {
      // A nil interface inside a slice or map.
      this.buf += this.sharpV ? 'interface {}(nil)' : '<nil>';
      return;
    }
    if (typeof v === 'boolean') {
      if (verb === 't' || verb === 'v') this.fmtBoolean(v);
      else this.badVerb(verb);
      return;
    }
    if (typeof v === 'string') return this.fmtString(v, verb);
    if (v instanceof GoInt) return this.fmtInteger(v.v, v.type === 'int', verb);
    if (v instanceof GoFloat) return this.fmtFloat(v.v, verb);
    if (v instanceof Secret) {
      // alloytypes.Secret is a Go string type without a String method: fmt prints its content.
      if (this.sharpV && verb === 'v') {
        this.buf += 'alloytypes.Secret(';
        this.fmtQ(v.value);
        this.buf += ')';
        return;
      }
      return this.fmtString(v.value, verb);
    }
    if (Array.isArray(v)) {
      if (this.sharpV) {
        this.buf += '[]interface {}{';
        v.forEach((el, i) => {
          if (i > 0) this.buf += ', ';
          this.printValue(el, verb, depth + 1);
        });
        this.buf += '}';
      } else {
        this.buf += '[';
        v.forEach((el, i) => {
          if (i > 0) this.buf += ' ';
          this.printValue(el, verb, depth + 1);
        });
        this.buf += ']';
      }
      return;
    }
    if (v instanceof Map) {
      this.buf += this.sharpV ? 'map[string]interface {}{' : 'map[';
      const keys = [...v.keys()].sort(compareBytes);
      keys.forEach((k, i) => {
        if (i > 0) this.buf += this.sharpV ? ', ' : ' ';
        this.printValue(k, verb, depth + 1);
        this.buf += ':';
        this.printValue(v.get(k)!, verb, depth + 1);
      });
      this.buf += this.sharpV ? '}' : ']';
      return;
    }
    if (v instanceof FuncValue) return this.fmtPointer(v, verb);
    // Other capsules: their display text stands in for Go's struct printing.
    if (verb === 'v' || verb === 's') this.pad(v.display());
    else this.badVerb(verb);
  }
}

/** Byte-wise (UTF-8) string order, as Go sorts string map keys. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const x = utf8Bytes(a);
  const y = utf8Bytes(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function parsenum(s: string, start: number, end: number): { num: number; isnum: boolean; newi: number } {
  if (start >= end) return { num: 0, isnum: false, newi: end };
  let num = 0;
  let isnum = false;
  let i = start;
  for (; i < end && s[i]! >= '0' && s[i]! <= '9'; i++) {
    if (num > 1e6) return { num: 0, isnum: false, newi: end };
    num = num * 10 + (s.charCodeAt(i) - 48);
    isnum = true;
  }
  return { num, isnum, newi: i };
}

function intFromArg(a: GoAny[], argNum: number): { num: number; isInt: boolean; newArgNum: number } {
  let num = 0;
  let isInt = false;
  let newArgNum = argNum;
  if (argNum < a.length) {
    const v = a[argNum];
    if (v instanceof GoInt && (v.type === 'int' || v.v <= 0x7fffffffffffffffn)) {
      num = Number(v.v);
      isInt = true;
    }
    newArgNum = argNum + 1;
    if (num > 1e6 || num < -1e6) {
      num = 0;
      isInt = false;
    }
  }
  return { num, isInt, newArgNum };
}

/** Go `fmt.Sprintf(format, a...)`. */
export function sprintf(format: string, a: GoAny[]): string {
  const p = new Printer();
  const end = format.length;
  let argNum = 0;
  let afterIndex = false;
  let reordered = false;
  let goodArgNum = true;

  const argNumber = (i: number): { argNum: number; i: number; found: boolean } => {
    if (format.length <= i || format[i] !== '[') return { argNum, i, found: false };
    reordered = true;
    // parseArgNumber
    let index = 0;
    let wid = 1;
    let ok = false;
    if (format.length - i >= 3) {
      for (let j = i + 1; j < format.length; j++) {
        if (format[j] === ']') {
          const r = parsenum(format, i + 1, j);
          if (!r.isnum || r.newi !== j) {
            wid = j - i + 1;
            ok = false;
          } else {
            index = r.num - 1;
            wid = j - i + 1;
            ok = true;
          }
          break;
        }
      }
    }
    if (ok && index >= 0 && index < a.length) return { argNum: index, i: i + wid, found: true };
    goodArgNum = false;
    return { argNum, i: i + wid, found: ok };
  };

  let i = 0;
  formatLoop: while (i < end) {
    goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) p.buf += format.slice(lasti, i);
    if (i >= end) break;
    i++;
    p.clearflags();
    simple: for (; i < end; i++) {
      const c = format[i]!;
      switch (c) {
        case '#':
          p.sharp = true;
          break;
        case '0':
          p.zero = true;
          break;
        case '+':
          p.plus = true;
          break;
        case '-':
          p.minus = true;
          break;
        case ' ':
          p.space = true;
          break;
        default:
          if (c >= 'a' && c <= 'z' && argNum < a.length) {
            if (c === 'v' || c === 'w') {
              p.sharpV = p.sharp;
              p.sharp = false;
              p.plusV = p.plus;
              p.plus = false;
            }
            p.printArg(a[argNum]!, c);
            argNum++;
            i++;
            continue formatLoop;
          }
          break simple;
      }
    }

    let r = argNumber(i);
    argNum = r.argNum;
    i = r.i;
    afterIndex = r.found;

    if (i < end && format[i] === '*') {
      i++;
      const w = intFromArg(a, argNum);
      p.wid = w.num;
      p.widPresent = w.isInt;
      argNum = w.newArgNum;
      if (!p.widPresent) p.buf += '%!(BADWIDTH)';
      if (p.wid < 0) {
        p.wid = -p.wid;
        p.minus = true;
        p.zero = false;
      }
      afterIndex = false;
    } else {
      const n = parsenum(format, i, end);
      p.wid = n.num;
      p.widPresent = n.isnum;
      i = n.newi;
      if (afterIndex && p.widPresent) goodArgNum = false;
    }

    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      r = argNumber(i);
      argNum = r.argNum;
      i = r.i;
      afterIndex = r.found;
      if (i < end && format[i] === '*') {
        i++;
        const w = intFromArg(a, argNum);
        p.prec = w.num;
        p.precPresent = w.isInt;
        argNum = w.newArgNum;
        if (p.prec < 0) {
          p.prec = 0;
          p.precPresent = false;
        }
        if (!p.precPresent) p.buf += '%!(BADPREC)';
        afterIndex = false;
      } else {
        const n = parsenum(format, i, end);
        p.prec = n.num;
        p.precPresent = n.isnum;
        i = n.newi;
        if (!p.precPresent) {
          p.prec = 0;
          p.precPresent = true;
        }
      }
    }

    if (!afterIndex) {
      r = argNumber(i);
      argNum = r.argNum;
      i = r.i;
      afterIndex = r.found;
    }

    if (i >= end) {
      p.buf += '%!(NOVERB)';
      break;
    }

    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;

    if (verb === '%') p.buf += '%';
    else if (!goodArgNum) p.buf += '%!' + verb + '(BADINDEX)';
    else if (argNum >= a.length) p.buf += '%!' + verb + '(MISSING)';
    else {
      if (verb === 'v' || verb === 'w') {
        p.sharpV = p.sharp;
        p.sharp = false;
        p.plusV = p.plus;
        p.plus = false;
      }
      p.printArg(a[argNum]!, verb);
      argNum++;
    }
  }

  if (!reordered && argNum < a.length) {
    p.clearflags();
    p.buf += '%!(EXTRA ';
    a.slice(argNum).forEach((arg, k) => {
      if (k > 0) p.buf += ', ';
      if (arg === null) p.buf += '<nil>';
      else {
        p.buf += goTypeName(arg) + '=';
        p.printArg(arg, 'v');
      }
    });
    p.buf += ')';
  }
  return p.buf;
}
