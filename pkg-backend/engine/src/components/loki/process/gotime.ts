/**
 * Go's `time.Parse` / `time.ParseInLocation` (reference layouts such as "2006-01-02T15:04:05Z07:00"), with
 * results in **nanoseconds since the epoch** (bigint, exact), for stage.timestamp.
 *
 * Layout elements as Go's `nextStdChunk`: January/Jan, Monday/Mon, MST, 1/01, 2/02/_2, 002/__2 (year day),
 * 15/3/03, 4/04, 5/05, 06/2006, PM/pm, -0700/-07:00/-07/-070000/-07:00:00, the Z variants (accept "Z"),
 * `.000`/`,000` (exact digits) and `.999`/`,999` (optional). A run of spaces in the layout matches a run of
 * spaces in the value; a fractional second after `05` is accepted even when the layout has none.
 *
 * Time zones: a numeric offset is exact; "UTC" is UTC; a zone abbreviation (MST) is looked up in the
 * parse location when it is an IANA zone whose abbreviation at that instant matches (en-US names such as
 * EST/EDT/PST), otherwise it gets offset 0 (Go fabricates a zero-offset zone for unknown abbreviations;
 * Go also consults the machine's Local zone, which Foundry does not). Locations are IANA names resolved
 * through Intl.
 */

/** A parse failure (`parsing time "…" as "…": cannot parse "…" as "…"`). */
export class TimeParseError extends Error {}

/** A location: UTC, or an IANA zone name. */
export type GoLocation = { kind: 'utc' } | { kind: 'iana'; name: string };

export const UTC: GoLocation = { kind: 'utc' };

/**
 * Go `time.LoadLocation`: "" and "UTC" are UTC, "Local" is the process' zone, anything else an IANA name.
 * @throws Error "unknown time zone <name>" when Intl does not know the name.
 */
export function loadLocation(name: string): GoLocation {
  if (name === '' || name === 'UTC') return UTC;
  const zone = name === 'Local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : name;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new Error(`unknown time zone ${name}`);
  }
  return zone === 'UTC' ? UTC : { kind: 'iana', name: zone };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
      timeZoneName: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Offset (seconds east of UTC) and abbreviation of an IANA zone at a Unix second. */
function zoneAt(zone: string, unixSec: number): { offset: number; abbr: string } {
  // Intl works on ms in the Date range; clamp far-away instants (offsets there are the zone's LMT/last rule).
  const ms = Math.max(-8.64e15, Math.min(8.64e15, unixSec * 1000));
  const parts = formatter(zone).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  let year = Number(get('year'));
  if (get('era') === 'BC' || get('era') === 'B') year = 1 - year;
  const wall =
    daysFromCivil(year, Number(get('month')), Number(get('day'))) * 86400 +
    Number(get('hour')) * 3600 +
    Number(get('minute')) * 60 +
    Number(get('second'));
  return { offset: wall - Math.floor(ms / 1000), abbr: get('timeZoneName') };
}

/** Days since 1970-01-01 of a proleptic Gregorian date; month and day may be out of range (normalized). */
export function daysFromCivil(y: number, m: number, d: number): number {
  // Normalize the month into [1, 12] first, as Go's Date does.
  y += Math.floor((m - 1) / 12);
  m = ((((m - 1) % 12) + 12) % 12) + 1;
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5);
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468 + (d - 1);
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

const DAYS_IN = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(month: number, year: number): number {
  return month === 2 && isLeap(year) ? 29 : DAYS_IN[month - 1]!;
}

/** Wall-clock fields of a parsed time and how to place it on the time line. */
export interface ParsedTime {
  year: number;
  month: number;
  day: number;
  /** Day of the year when the layout had one (then month/day were derived from it). */
  hour: number;
  min: number;
  sec: number;
  nsec: number;
  /** Seconds east of UTC when the value carried an offset (or UTC); undefined = wall time in `loc`. */
  offset: number | undefined;
  loc: GoLocation;
}

/**
 * Unix seconds of wall-clock fields in a location (Go's `time.Date`: for a wall time that falls in a
 * transition, the offset in effect just before it is tried first).
 */
function wallToUnix(p: ParsedTime): number {
  const wall = daysFromCivil(p.year, p.month, p.day) * 86400 + p.hour * 3600 + p.min * 60 + p.sec;
  if (p.offset !== undefined) return wall - p.offset;
  if (p.loc.kind === 'utc') return wall;
  const o1 = zoneAt(p.loc.name, wall).offset;
  const utc = wall - o1;
  const o2 = zoneAt(p.loc.name, utc).offset;
  return o1 === o2 ? utc : wall - o2;
}

/** Nanoseconds since the epoch of parsed fields. */
export function parsedToNs(p: ParsedTime): bigint {
  return BigInt(wallToUnix(p)) * 1_000_000_000n + BigInt(p.nsec);
}

// ------------------------------------------------------------------------------------------ layouts

const enum Std {
  None,
  LongMonth,
  Month,
  NumMonth,
  ZeroMonth,
  LongWeekDay,
  WeekDay,
  Day,
  UnderDay,
  ZeroDay,
  UnderYearDay,
  ZeroYearDay,
  Hour,
  Hour12,
  ZeroHour12,
  Minute,
  ZeroMinute,
  Second,
  ZeroSecond,
  LongYear,
  Year,
  PM,
  pm,
  TZ,
  ISO8601TZ,
  ISO8601SecondsTZ,
  ISO8601ShortTZ,
  ISO8601ColonTZ,
  ISO8601ColonSecondsTZ,
  NumTZ,
  NumSecondsTz,
  NumShortTZ,
  NumColonTZ,
  NumColonSecondsTZ,
  FracSecond0,
  FracSecond9,
}

interface Chunk {
  prefix: string;
  std: Std;
  /** Digits of a fractional-second element. */
  digits: number;
  /** The separator of a fractional-second element ('.' or ','). */
  suffix: string;
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** Go's `nextStdChunk`: the literal prefix, the element and the rest of the layout. */
function nextStdChunk(layout: string): Chunk {
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!;
    const rest = layout.slice(i);
    const at = (std: Std, len: number): Chunk => ({
      prefix: layout.slice(0, i),
      std,
      digits: 0,
      suffix: layout.slice(i + len),
    });
    switch (c) {
      case 'J':
        if (rest.startsWith('Jan'))
          return rest.startsWith('January') ? at(Std.LongMonth, 7) : at(Std.Month, 3);
        break;
      case 'M':
        if (rest.startsWith('Mon'))
          return rest.startsWith('Monday') ? at(Std.LongWeekDay, 6) : at(Std.WeekDay, 3);
        if (rest.startsWith('MST')) return at(Std.TZ, 3);
        break;
      case '0':
        if (layout[i + 1]! >= '1' && layout[i + 1]! <= '6') {
          const std = [Std.ZeroMonth, Std.ZeroDay, Std.ZeroHour12, Std.ZeroMinute, Std.ZeroSecond, Std.Year][
            Number(layout[i + 1]) - 1
          ]!;
          return at(std, 2);
        }
        if (layout[i + 1] === '0' && layout[i + 2] === '2') return at(Std.ZeroYearDay, 3);
        break;
      case '1':
        if (layout[i + 1] === '5') return at(Std.Hour, 2);
        return at(Std.NumMonth, 1);
      case '2':
        if (rest.startsWith('2006')) return at(Std.LongYear, 4);
        return at(Std.Day, 1);
      case '_':
        if (layout[i + 1] === '2') {
          // _2006 is really a literal _, followed by stdLongYear.
          if (rest.startsWith('_2006'))
            return {
              prefix: layout.slice(0, i + 1),
              std: Std.LongYear,
              digits: 0,
              suffix: layout.slice(i + 5),
            };
          return at(Std.UnderDay, 2);
        }
        if (layout[i + 1] === '_' && layout[i + 2] === '2') return at(Std.UnderYearDay, 3);
        break;
      case '3':
        return at(Std.Hour12, 1);
      case '4':
        return at(Std.Minute, 1);
      case '5':
        return at(Std.Second, 1);
      case 'P':
        if (layout[i + 1] === 'M') return at(Std.PM, 2);
        break;
      case 'p':
        if (layout[i + 1] === 'm') return at(Std.pm, 2);
        break;
      case '-':
        if (rest.startsWith('-070000')) return at(Std.NumSecondsTz, 7);
        if (rest.startsWith('-07:00:00')) return at(Std.NumColonSecondsTZ, 9);
        if (rest.startsWith('-0700')) return at(Std.NumTZ, 5);
        if (rest.startsWith('-07:00')) return at(Std.NumColonTZ, 6);
        if (rest.startsWith('-07')) return at(Std.NumShortTZ, 3);
        break;
      case 'Z':
        if (rest.startsWith('Z070000')) return at(Std.ISO8601SecondsTZ, 7);
        if (rest.startsWith('Z07:00:00')) return at(Std.ISO8601ColonSecondsTZ, 9);
        if (rest.startsWith('Z0700')) return at(Std.ISO8601TZ, 5);
        if (rest.startsWith('Z07:00')) return at(Std.ISO8601ColonTZ, 6);
        if (rest.startsWith('Z07')) return at(Std.ISO8601ShortTZ, 3);
        break;
      case '.':
      case ',':
        if (layout[i + 1] === '0' || layout[i + 1] === '9') {
          const ch = layout[i + 1];
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!isDigitAt(layout, j)) {
            return {
              prefix: layout.slice(0, i),
              std: ch === '0' ? Std.FracSecond0 : Std.FracSecond9,
              digits: j - (i + 1),
              suffix: layout.slice(j),
            };
          }
        }
        break;
    }
  }
  return { prefix: layout, std: Std.None, digits: 0, suffix: '' };
}

/** True when the layout has a year element (Alloy's check is the simpler `contains "06"`). */
export function layoutHasYear(layout: string): boolean {
  return layout.includes('06') || layout.includes('2006');
}

const LONG_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const SHORT_MONTHS = LONG_MONTHS.map((m) => m.slice(0, 3));
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SHORT_DAYS = LONG_DAYS.map((d) => d.slice(0, 3));

class Bad extends Error {}

function lookup(tab: string[], val: string): [number, string] {
  for (let i = 0; i < tab.length; i++) {
    const v = tab[i]!;
    if (val.length >= v.length && val.slice(0, v.length).toLowerCase() === v.toLowerCase()) {
      return [i, val.slice(v.length)];
    }
  }
  throw new Bad();
}

/** Go's `getnum`: one or two digits (exactly two when `fixed`). */
function getnum(s: string, fixed: boolean): [number, string] {
  if (!isDigitAt(s, 0)) throw new Bad();
  if (!isDigitAt(s, 1)) {
    if (fixed) throw new Bad();
    return [s.charCodeAt(0) - 48, s.slice(1)];
  }
  return [(s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48), s.slice(2)];
}

function getnum3(s: string, fixed: boolean): [number, string] {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigitAt(s, i); i++) n = n * 10 + (s.charCodeAt(i) - 48);
  if (i === 0 || (fixed && i !== 3)) throw new Bad();
  return [n, s.slice(i)];
}

function cutspace(s: string): string {
  let i = 0;
  while (i < s.length && s[i] === ' ') i++;
  return s.slice(i);
}

/** Go's `skip`: match the literal prefix, spaces matching runs of spaces. */
function skip(value: string, prefix: string): string {
  while (prefix.length > 0) {
    if (prefix[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') throw new Bad();
      prefix = cutspace(prefix);
      value = cutspace(value);
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) throw new Bad();
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return value;
}

function parseNanoseconds(value: string, nbytes: number): number {
  if (value[0] !== '.' && value[0] !== ',') throw new Bad();
  if (nbytes > 10) {
    value = value.slice(0, 10);
    nbytes = 10;
  }
  const digits = value.slice(1, nbytes);
  if (!/^[0-9]+$/.test(digits)) throw new Bad();
  return Number(digits) * 10 ** (9 - digits.length);
}

/** Go's `parseTimeZone`: the length of a zone abbreviation at the start of value, or 0. */
function parseTimeZone(value: string): number {
  if (value.length < 3) return 0;
  if (value.length >= 4 && (value.startsWith('ChST') || value.startsWith('MeST'))) return 4;
  if (value.startsWith('GMT')) {
    // parseGMT: GMT followed by an optional signed hour offset.
    const m = /^GMT([+-]\d+)?/.exec(value)!;
    if (m[1] !== undefined) {
      const n = Number(m[1]);
      if (n < -23 || n > 23) return 3;
    }
    return m[0].length;
  }
  if (value[0] === '+' || value[0] === '-') {
    const m = /^[+-]\d+/.exec(value);
    if (!m) return 0;
    const n = Number(m[0]);
    return n < -23 || n > 23 ? 0 : m[0].length;
  }
  let nUpper = 0;
  while (nUpper < 6 && nUpper < value.length) {
    const c = value.charCodeAt(nUpper);
    if (c < 65 || c > 90) break;
    nUpper++;
  }
  switch (nUpper) {
    case 0:
    case 1:
    case 2:
    case 6:
      return 0;
    case 5:
      return value[4] === 'T' ? 5 : 0;
    case 4:
      return value[3] === 'T' || value.startsWith('WITA') ? 4 : 0;
    default:
      return 3;
  }
}

/**
 * Go's `time.Parse(layout, value)` (loc = UTC) or `time.ParseInLocation(layout, value, loc)`, as fields.
 * @throws TimeParseError when the value does not match the layout or a field is out of range.
 */
export function parseGoTimeFields(layout: string, value: string, loc: GoLocation = UTC): ParsedTime {
  const origLayout = layout;
  const origValue = value;
  const fail = (msg = ''): never => {
    throw new TimeParseError(
      `parsing time ${JSON.stringify(origValue)} as ${JSON.stringify(origLayout)}: cannot parse ${JSON.stringify(value)}${msg}`,
    );
  };
  let year = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let pmSet = false;
  let amSet = false;
  let zoneOffset: number | undefined;
  let utc = false;
  let zoneName = '';
  for (;;) {
    const chunk = nextStdChunk(layout);
    const hold = value;
    try {
      value = skip(value, chunk.prefix);
    } catch {
      fail();
    }
    if (chunk.std === Std.None) {
      if (value.length !== 0) fail(': extra text');
      break;
    }
    layout = chunk.suffix;
    let rangeErr = '';
    try {
      switch (chunk.std) {
        case Std.Year: {
          if (value.length < 2) throw new Bad();
          const p = value.slice(0, 2);
          if (!/^\d\d$/.test(p)) throw new Bad();
          value = value.slice(2);
          year = Number(p);
          year += year >= 69 ? 1900 : 2000;
          break;
        }
        case Std.LongYear:
          if (value.length < 4 || !isDigitAt(value, 0)) throw new Bad();
          if (!/^\d{4}/.test(value)) throw new Bad();
          year = Number(value.slice(0, 4));
          value = value.slice(4);
          break;
        case Std.Month:
          [month, value] = lookup(SHORT_MONTHS, value);
          month++;
          break;
        case Std.LongMonth:
          [month, value] = lookup(LONG_MONTHS, value);
          month++;
          break;
        case Std.NumMonth:
        case Std.ZeroMonth:
          [month, value] = getnum(value, chunk.std === Std.ZeroMonth);
          if (month <= 0 || month > 12) rangeErr = 'month';
          break;
        case Std.WeekDay:
          [, value] = lookup(SHORT_DAYS, value);
          break;
        case Std.LongWeekDay:
          [, value] = lookup(LONG_DAYS, value);
          break;
        case Std.Day:
        case Std.UnderDay:
        case Std.ZeroDay:
          if (chunk.std === Std.UnderDay && value.length > 0 && value[0] === ' ') value = value.slice(1);
          [day, value] = getnum(value, chunk.std === Std.ZeroDay);
          break;
        case Std.UnderYearDay:
        case Std.ZeroYearDay:
          for (let i = 0; i < 2; i++) {
            if (chunk.std === Std.UnderYearDay && value.length > 0 && value[0] === ' ')
              value = value.slice(1);
          }
          [yday, value] = getnum3(value, chunk.std === Std.ZeroYearDay);
          break;
        case Std.Hour:
          [hour, value] = getnum(value, false);
          if (hour < 0 || hour >= 24) rangeErr = 'hour';
          break;
        case Std.Hour12:
        case Std.ZeroHour12:
          [hour, value] = getnum(value, chunk.std === Std.ZeroHour12);
          if (hour < 0 || hour > 12) rangeErr = 'hour';
          break;
        case Std.Minute:
        case Std.ZeroMinute:
          [min, value] = getnum(value, chunk.std === Std.ZeroMinute);
          if (min < 0 || min >= 60) rangeErr = 'minute';
          break;
        case Std.Second:
        case Std.ZeroSecond: {
          [sec, value] = getnum(value, chunk.std === Std.ZeroSecond);
          if (sec < 0 || sec >= 60) {
            rangeErr = 'second';
            break;
          }
          // A fractional second in the value but not in the layout is accepted.
          if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigitAt(value, 1)) {
            const next = nextStdChunk(layout).std;
            if (next === Std.FracSecond0 || next === Std.FracSecond9) break;
            let n = 2;
            while (n < value.length && isDigitAt(value, n)) n++;
            nsec = parseNanoseconds(value, n);
            value = value.slice(n);
          }
          break;
        }
        case Std.PM:
          if (value.length < 2) throw new Bad();
          if (value.startsWith('PM')) pmSet = true;
          else if (value.startsWith('AM')) amSet = true;
          else throw new Bad();
          value = value.slice(2);
          break;
        case Std.pm:
          if (value.length < 2) throw new Bad();
          if (value.startsWith('pm')) pmSet = true;
          else if (value.startsWith('am')) amSet = true;
          else throw new Bad();
          value = value.slice(2);
          break;
        case Std.ISO8601TZ:
        case Std.ISO8601ShortTZ:
        case Std.ISO8601ColonTZ:
        case Std.ISO8601SecondsTZ:
        case Std.ISO8601ColonSecondsTZ:
        case Std.NumTZ:
        case Std.NumShortTZ:
        case Std.NumColonTZ:
        case Std.NumSecondsTz:
        case Std.NumColonSecondsTZ: {
          const iso =
            chunk.std === Std.ISO8601TZ ||
            chunk.std === Std.ISO8601ShortTZ ||
            chunk.std === Std.ISO8601ColonTZ ||
            chunk.std === Std.ISO8601SecondsTZ ||
            chunk.std === Std.ISO8601ColonSecondsTZ;
          if (iso && value.length >= 1 && value[0] === 'Z') {
            value = value.slice(1);
            utc = true;
            break;
          }
          let sign: string, hh: string, mm: string, ss: string;
          if (chunk.std === Std.ISO8601ColonTZ || chunk.std === Std.NumColonTZ) {
            if (value.length < 6 || value[3] !== ':') throw new Bad();
            [sign, hh, mm, ss, value] = [
              value[0]!,
              value.slice(1, 3),
              value.slice(4, 6),
              '00',
              value.slice(6),
            ];
          } else if (chunk.std === Std.NumShortTZ || chunk.std === Std.ISO8601ShortTZ) {
            if (value.length < 3) throw new Bad();
            [sign, hh, mm, ss, value] = [value[0]!, value.slice(1, 3), '00', '00', value.slice(3)];
          } else if (chunk.std === Std.ISO8601ColonSecondsTZ || chunk.std === Std.NumColonSecondsTZ) {
            if (value.length < 9 || value[3] !== ':' || value[6] !== ':') throw new Bad();
            [sign, hh, mm, ss, value] = [
              value[0]!,
              value.slice(1, 3),
              value.slice(4, 6),
              value.slice(7, 9),
              value.slice(9),
            ];
          } else if (chunk.std === Std.ISO8601SecondsTZ || chunk.std === Std.NumSecondsTz) {
            if (value.length < 7) throw new Bad();
            [sign, hh, mm, ss, value] = [
              value[0]!,
              value.slice(1, 3),
              value.slice(3, 5),
              value.slice(5, 7),
              value.slice(7),
            ];
          } else {
            if (value.length < 5) throw new Bad();
            [sign, hh, mm, ss, value] = [
              value[0]!,
              value.slice(1, 3),
              value.slice(3, 5),
              '00',
              value.slice(5),
            ];
          }
          const hr = getnum(hh, true)[0];
          const mi = getnum(mm, true)[0];
          const se = getnum(ss, true)[0];
          if (hr > 24) rangeErr = 'time zone offset hour';
          if (mi > 60) rangeErr = 'time zone offset minute';
          if (se > 60) rangeErr = 'time zone offset second';
          let off = (hr * 60 + mi) * 60 + se;
          if (sign === '-') off = -off;
          else if (sign !== '+') throw new Bad();
          zoneOffset = off;
          break;
        }
        case Std.TZ: {
          if (value.length >= 3 && value.startsWith('UTC')) {
            utc = true;
            value = value.slice(3);
            break;
          }
          const n = parseTimeZone(value);
          if (n === 0) throw new Bad();
          zoneName = value.slice(0, n);
          value = value.slice(n);
          break;
        }
        case Std.FracSecond0: {
          const ndigit = 1 + chunk.digits;
          if (value.length < ndigit) throw new Bad();
          nsec = parseNanoseconds(value, ndigit);
          value = value.slice(ndigit);
          break;
        }
        case Std.FracSecond9: {
          if (value.length < 2 || (value[0] !== '.' && value[0] !== ',') || !isDigitAt(value, 1)) break;
          let i = 0;
          while (i + 1 < value.length && isDigitAt(value, i + 1)) i++;
          nsec = parseNanoseconds(value, 1 + i);
          value = value.slice(1 + i);
          break;
        }
      }
    } catch (err) {
      if (!(err instanceof Bad)) throw err;
      value = hold;
      fail();
    }
    if (rangeErr) fail(`: ${rangeErr} out of range`);
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;

  if (yday >= 0) {
    let d = 0;
    let m = 0;
    if (isLeap(year)) {
      if (yday === 31 + 29) {
        m = 2;
        d = 29;
      } else if (yday > 31 + 29) yday--;
    }
    if (yday < 1 || yday > 365) fail(': day-of-year out of range');
    if (m === 0) {
      m = 1;
      let left = yday;
      while (left > DAYS_IN[m - 1]!) {
        left -= DAYS_IN[m - 1]!;
        m++;
      }
      d = left;
    }
    if (month >= 0 && month !== m) fail(': day-of-year does not match month');
    month = m;
    if (day >= 0 && day !== d) fail(': day-of-year does not match day');
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) fail(': day out of range');

  const p: ParsedTime = { year, month, day, hour, min, sec, nsec, offset: undefined, loc };
  if (utc) p.offset = 0;
  else if (zoneOffset !== undefined) p.offset = zoneOffset;
  else if (zoneName !== '') {
    let offset = 0;
    const wall = daysFromCivil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
    const z = loc.kind === 'iana' ? zoneAt(loc.name, wall) : undefined;
    if (z && z.abbr === zoneName) offset = z.offset;
    else if (zoneName.length > 3 && zoneName.startsWith('GMT')) offset = Number(zoneName.slice(3)) * 3600;
    p.offset = offset;
  }
  return p;
}

/** `time.Parse` / `time.ParseInLocation` to nanoseconds since the epoch. */
export function parseGoTime(layout: string, value: string, loc: GoLocation = UTC): bigint {
  return parsedToNs(parseGoTimeFields(layout, value, loc));
}

/** The named layouts of Go's time package that stage.timestamp accepts by name. */
export const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
};
