import { maskAccessKeyId, maskDigits, maskEmail, maskIban, maskSsn } from './mask';
import type { PiiType } from './types';
import { abaValid, cardBrand, e164Valid, ibanValid, luhnValid, nanpValid, ssnValid } from './validators';

/**
 * Detectors run over a window of latin1-decoded text (one char per byte, so offsets are
 * byte offsets and every pattern is ASCII). Each pass is anchored on something cheap —
 * a digit after a word boundary, `@`, `AKIA`/`ASIA`, two capitals and two digits — and
 * runs its own linear-time regex; the expensive checks (Luhn, mod 97, ranges) run only
 * on candidates. Combining detectors into one alternation was measured 3–10x slower.
 */

export interface Match {
  readonly type: PiiType;
  /** Index in the window. */
  readonly start: number;
  readonly end: number;
  readonly masked: string;
}

export type Emit = (match: Match) => void;

/**
 * One detector pass. `run` reports matches whose anchor lies in [from, limit) and returns
 * where the next window must resume (never before `limit`, never inside a reported match).
 */
export interface Pass {
  readonly name: string;
  run(text: string, from: number, limit: number, emit: Emit): number;
}

/** Characters of context a pass may read before a candidate (keywords for bare 9-digit numbers). */
export const LOOKBEHIND_CHARS = 80;
/** Longest text a pass may read from its anchor (email: 64 local + @ + 8×64 domain labels + TLD). */
export const LOOKAHEAD_CHARS = 1024;

/**
 * Every regular expression the scanner runs, named, so the test suite can prove each is
 * linear-time with `recheck`.
 */
export const PATTERNS = {
  /**
   * Two alternatives with disjoint first characters, run as one pass (measured faster than
   * two): a digit span — 9–64 digits with at most two separator characters between digits —
   * or an upper-case IBAN, printed in groups of four or electronic.
   */
  digitsOrIban:
    /\b(?:[0-9](?:[ .()-]{0,2}[0-9]){8,63}|[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b)/g,
  /** Long-term (AKIA) and temporary (ASIA) access key IDs: 20 characters of base32. */
  accessKeyId: /\b(?:AKIA|ASIA)[A-Z2-7]{16}\b/g,
  /** Domain after `@`: up to 8 labels and an alphabetic TLD, not followed by more domain. */
  emailDomain: /(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-]|\.[A-Za-z0-9])/y,
  /** Context that makes a bare 9-digit number an SSN. */
  ssnKeyword: /\b(?:ssn|ssns|social security|soc sec|ss#)/,
  /** Context that makes a bare 9-digit number a routing number. */
  routingKeyword: /\b(?:routing|aba|rtn|transit)\b/,
} as const;

/** TLDs that are really file extensions (`logo@2x.png`, `icon@3x.svg`). */
const FILE_EXTENSION_TLDS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'webp',
  'css',
  'js',
  'ts',
  'map',
  'json',
  'html',
  'ico',
]);

const LOCAL_PART_CHAR = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-') {
  LOCAL_PART_CHAR[c.charCodeAt(0)] = 1;
}

function isLocalChar(code: number): boolean {
  return code < 128 && LOCAL_PART_CHAR[code] === 1;
}

/**
 * Runs a global regex from `from`, reporting matches that start before `limit`. `onMatch`
 * may return an index to rescan from (inside the match) when the match was not what it
 * looked like — e.g. an IBAN-shaped run whose digits may still hold a card number.
 */
function regexPass(
  name: string,
  pattern: RegExp,
  onMatch: (text: string, start: number, end: number, emit: Emit) => number | undefined,
): Pass {
  return {
    name,
    run(text, from, limit, emit) {
      const re = new RegExp(pattern.source, pattern.flags);
      re.lastIndex = from;
      let resume = from;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m.index >= limit) break;
        const rescan = onMatch(text, m.index, re.lastIndex, emit);
        if (rescan === undefined) resume = re.lastIndex;
        else re.lastIndex = rescan;
      }
      return Math.max(resume, limit);
    },
  };
}

// ---------------------------------------------------------------- digit spans

interface Group {
  readonly start: number;
  readonly end: number;
  /** Separator text before this group ('' for the first group or none). */
  readonly before: string;
}

function splitGroups(text: string, start: number, end: number): Group[] {
  const groups: Group[] = [];
  let i = start;
  let sepStart = start;
  while (i < end) {
    const gStart = i;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    groups.push({ start: gStart, end: i, before: text.slice(sepStart, gStart) });
    sepStart = i;
    while (i < end && !isDigit(text.charCodeAt(i))) i++;
  }
  return groups;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function digitsOf(text: string, groups: readonly Group[], from: number, to: number): string {
  let digits = '';
  for (let k = from; k <= to; k++) {
    const g = groups[k];
    if (g) digits += text.slice(g.start, g.end);
  }
  return digits;
}

function lengths(groups: readonly Group[], from: number, to: number): number[] {
  const out: number[] = [];
  for (let k = from; k <= to; k++) {
    const g = groups[k];
    if (g) out.push(g.end - g.start);
  }
  return out;
}

/** Card layouts: one run, groups of four (last one shorter), or Amex/Diners 4-6-5 / 4-6-4. */
function cardLayoutOk(lens: readonly number[]): boolean {
  if (lens.length === 1) return true;
  if (lens.length === 3 && lens[0] === 4 && lens[1] === 6 && (lens[2] === 5 || lens[2] === 4)) return true;
  for (let k = 0; k < lens.length - 1; k++) if (lens[k] !== 4) return false;
  const last = lens[lens.length - 1] ?? 0;
  return last >= 1 && last <= 4;
}

function sameSeparators(
  groups: readonly Group[],
  from: number,
  to: number,
  allowed: readonly string[],
): boolean {
  const first = groups[from + 1]?.before;
  if (from === to) return true;
  if (first === undefined || !allowed.includes(first)) return false;
  for (let k = from + 2; k <= to; k++) if (groups[k]?.before !== first) return false;
  return true;
}

/** The separator to the next group differs from `sep` (so a pattern does not run on into more digits). */
function standsAlone(groups: readonly Group[], from: number, to: number, sep: string | undefined): boolean {
  const before = from > 0 ? groups[from]?.before : undefined;
  const after = groups[to + 1]?.before;
  if (sep === undefined) return before === undefined && after === undefined;
  return before !== sep && after !== sep;
}

/** Keyword context: up to 32 characters before a candidate, but not reaching past another number. */
function context(text: string, start: number): string {
  let from = start - 1;
  while (from >= 0 && start - from <= 32 && !isDigit(text.charCodeAt(from))) from--;
  return text.slice(from + 1, start).toLowerCase();
}

interface SpanHit {
  readonly match: Match;
  readonly lastGroup: number;
}

function cardAt(text: string, groups: readonly Group[], i: number): SpanHit | undefined {
  let best: SpanHit | undefined;
  let count = 0;
  for (let j = i; j < groups.length; j++) {
    const g = groups[j];
    if (!g) break;
    count += g.end - g.start;
    if (count > 19) break;
    if (count < 13) continue;
    if (!sameSeparators(groups, i, j, [' ', '-'])) break;
    if (!cardLayoutOk(lengths(groups, i, j))) continue;
    const digits = digitsOf(text, groups, i, j);
    if (luhnValid(digits) && cardBrand(digits) !== undefined) {
      const start = groups[i]?.start ?? g.start;
      best = { match: { type: 'payment-card', start, end: g.end, masked: maskDigits(digits) }, lastGroup: j };
    }
  }
  return best;
}

function ssnAt(text: string, groups: readonly Group[], i: number): SpanHit | undefined {
  const a = groups[i];
  const b = groups[i + 1];
  const c = groups[i + 2];
  if (a && b && c && a.end - a.start === 3 && b.end - b.start === 2 && c.end - c.start === 4) {
    const sep = b.before;
    if ((sep === '-' || sep === ' ') && c.before === sep && standsAlone(groups, i, i + 2, sep)) {
      const digits = digitsOf(text, groups, i, i + 2);
      if (ssnValid(digits))
        return {
          match: { type: 'us-ssn', start: a.start, end: c.end, masked: maskSsn(digits) },
          lastGroup: i + 2,
        };
    }
  }
  if (a && a.end - a.start === 9 && groups.length === 1 && PATTERNS.ssnKeyword.test(context(text, a.start))) {
    const digits = text.slice(a.start, a.end);
    if (ssnValid(digits))
      return { match: { type: 'us-ssn', start: a.start, end: a.end, masked: maskSsn(digits) }, lastGroup: i };
  }
  return undefined;
}

function abaAt(text: string, groups: readonly Group[], i: number): SpanHit | undefined {
  const a = groups[i];
  if (!a || a.end - a.start !== 9 || groups.length !== 1) return undefined;
  const digits = text.slice(a.start, a.end);
  if (!abaValid(digits) || !PATTERNS.routingKeyword.test(context(text, a.start))) return undefined;
  return {
    match: { type: 'aba-routing', start: a.start, end: a.end, masked: maskDigits(digits) },
    lastGroup: i,
  };
}

/** NANP: [1 sep] (area) or area sep, exchange sep line — separators '-', '.', ' '. */
function nanpAt(text: string, groups: readonly Group[], i: number): SpanHit | undefined {
  let k = i;
  let start = groups[i]?.start ?? 0;
  const first = groups[i];
  if (first && first.end - first.start === 1 && text[first.start] === '1') k = i + 1;
  const area = groups[k];
  const exchange = groups[k + 1];
  const line = groups[k + 2];
  if (!area || !exchange || !line) return undefined;
  if (area.end - area.start !== 3 || exchange.end - exchange.start !== 3 || line.end - line.start !== 4)
    return undefined;
  const sep = line.before;
  if (sep !== '-' && sep !== '.' && sep !== ' ') return undefined;
  const parenthesised = text[area.start - 1] === '(';
  if (parenthesised) {
    if (exchange.before !== ') ' && exchange.before !== ')') return undefined;
    if (k === i) start = area.start - 1;
  } else if (exchange.before !== sep) return undefined;
  if (k > i && area.before !== sep && area.before !== ' (' && area.before !== '(' && area.before !== ' ')
    return undefined;
  if (groups[k + 3] !== undefined && groups[k + 3]?.before === sep) return undefined;
  const digits = digitsOf(text, groups, k, k + 2);
  if (!nanpValid(digits)) return undefined;
  const plus = k > i && text[start - 1] === '+';
  return {
    match: {
      type: 'phone',
      start: plus ? start - 1 : start,
      end: line.end,
      masked: `***-***-${digits.slice(-4)}`,
    },
    lastGroup: k + 2,
  };
}

/** International: `+` then 8–15 digits in groups separated by a space, '-' or '.'. */
function e164At(text: string, groups: readonly Group[], i: number): SpanHit | undefined {
  const first = groups[i];
  if (!first || i !== 0 || text[first.start - 1] !== '+') return undefined;
  let digits = '';
  let last = -1;
  for (let j = i; j < groups.length; j++) {
    const g = groups[j];
    if (!g) break;
    if (j > i && g.before !== ' ' && g.before !== '-' && g.before !== '.') break;
    if (digits.length + (g.end - g.start) > 15) break;
    digits += text.slice(g.start, g.end);
    last = j;
  }
  const end = groups[last]?.end;
  if (end === undefined || !e164Valid(digits)) return undefined;
  return {
    match: { type: 'phone', start: first.start - 1, end, masked: `+${maskDigits(digits)}` },
    lastGroup: last,
  };
}

/** Luhn over text[start, end) without slicing. */
function luhnAt(text: string, start: number, end: number): boolean {
  let sum = 0;
  let double = false;
  for (let i = end - 1; i >= start; i--) {
    let d = text.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Most spans are separator-free numbers (ids, epoch times, amounts): judge them without
 * allocating. Returns true when the span was handled here.
 */
function classifyRun(text: string, start: number, end: number, emit: Emit): boolean {
  for (let i = start; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  const n = end - start;
  if (text.charCodeAt(start - 1) === 43 /* + */) {
    const hit = e164At(text, [{ start, end, before: '' }], 0);
    if (hit) emit(hit.match);
    return true;
  }
  if (n >= 13 && n <= 19) {
    const first = text.charCodeAt(start);
    // Major brands start with 2–6; test Luhn (cheap, no allocation) before slicing.
    if (first >= 50 && first <= 54 && luhnAt(text, start, end)) {
      const digits = text.slice(start, end);
      if (cardBrand(digits) !== undefined)
        emit({ type: 'payment-card', start, end, masked: maskDigits(digits) });
    }
    return true;
  }
  if (n === 9) {
    const groups = [{ start, end, before: '' }];
    const hit = ssnAt(text, groups, 0) ?? abaAt(text, groups, 0);
    if (hit) emit(hit.match);
  }
  return true;
}

function isWordChar(code: number): boolean {
  return isDigit(code) || isUpper(code) || (code >= 97 && code <= 122) || code === 95;
}

function classifySpan(text: string, start: number, end: number, emit: Emit): void {
  // A last group glued to a letter (`…1111x`) is part of a token, not a number.
  const glued = isWordChar(text.charCodeAt(end));
  if (!glued && classifyRun(text, start, end, emit)) return;
  const groups = splitGroups(text, start, end);
  if (glued) groups.pop();
  let i = 0;
  while (i < groups.length) {
    const hit =
      e164At(text, groups, i) ??
      cardAt(text, groups, i) ??
      ssnAt(text, groups, i) ??
      nanpAt(text, groups, i) ??
      abaAt(text, groups, i);
    if (hit) {
      emit(hit.match);
      i = hit.lastGroup + 1;
    } else {
      i++;
    }
  }
}

// ---------------------------------------------------------------- other passes

function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}

function onDigitsOrIban(text: string, start: number, end: number, emit: Emit): number | undefined {
  if (!isUpper(text.charCodeAt(start))) {
    classifySpan(text, start, end, emit);
    return undefined;
  }
  const compact = text.slice(start, end).replaceAll(' ', '');
  if (ibanValid(compact)) {
    emit({ type: 'iban', start, end, masked: maskIban(compact) });
    return undefined;
  }
  // Not an IBAN: rescan after the two letters so digit spans inside are still judged.
  return start + 2;
}

function onAccessKey(text: string, start: number, end: number, emit: Emit): undefined {
  emit({ type: 'aws-access-key-id', start, end, masked: maskAccessKeyId(text.slice(start, end)) });
  return undefined;
}

/** `@`-anchored: walk back over the local part (≤ 64), then the domain regex, sticky at `@`+1. */
const emailPass: Pass = {
  name: 'email',
  run(text, from, limit, emit) {
    const domainPattern = new RegExp(PATTERNS.emailDomain.source, PATTERNS.emailDomain.flags);
    let floor = from - LOOKBEHIND_CHARS;
    let resume = from;
    let at = text.indexOf('@', from);
    while (at !== -1 && at < limit) {
      let s = at;
      while (s > 0 && s > floor && at - s < 65 && isLocalChar(text.charCodeAt(s - 1))) s--;
      while (s < at && text[s] === '.') s++;
      const local = text.slice(s, at);
      const localOk =
        local.length > 0 &&
        at - s <= 64 &&
        !(s > 0 && isLocalChar(text.charCodeAt(s - 1)) && text[s - 1] !== '.') &&
        !local.endsWith('.') &&
        !local.includes('..');
      let next = at + 1;
      if (localOk) {
        domainPattern.lastIndex = at + 1;
        const m = domainPattern.exec(text);
        if (m !== null) {
          const domain = m[0];
          const labels = domain.split('.');
          const tld = (labels[labels.length - 1] ?? '').toLowerCase();
          const labelsOk = labels.every((l) => !l.startsWith('-') && !l.endsWith('-'));
          if (labelsOk && domain.length <= 253 && !FILE_EXTENSION_TLDS.has(tld)) {
            const end = at + 1 + domain.length;
            emit({ type: 'email', start: s, end, masked: maskEmail(local, domain) });
            next = end;
            floor = end;
            resume = end;
          }
        }
      }
      at = text.indexOf('@', next);
    }
    return Math.max(resume, limit);
  },
};

/** The passes in the order they run; each keeps its own resume position across windows. */
export const PASSES: readonly Pass[] = [
  regexPass('digits-iban', PATTERNS.digitsOrIban, onDigitsOrIban),
  regexPass('aws-access-key-id', PATTERNS.accessKeyId, onAccessKey),
  emailPass,
];
