import type { Emit, Match } from './detectors';
import { maskDigits, maskSsn } from './mask';
import { PATTERNS } from './patterns';
import {
  abaValid,
  cardBrand,
  e164Valid,
  luhnValid,
  luhnValidAt,
  luhnValidGroupedAt,
  nanpValid,
  nanpValidAt,
  ssnValid,
  ssnValidAt,
} from './validators';

/*
 * The judges of digit spans (cards, SSNs, routing numbers, NANP and E.164 phone numbers): the cheap
 * screen every span passes first, then the classifiers, without allocating where most spans end.
 * One file of ~400 lines because the screen, the in-place judges of the common shapes and the
 * group classifiers must agree span for span (detectors.test.ts and digit-spans.test.ts check it),
 * and they share the char-level helpers.
 */

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
    if (first >= 50 && first <= 54 && luhnValidAt(text, start, end)) {
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

/** `ddd-dd-dddd` or `ddd dd dddd` starting at `start` (the span is known to be digits and separators). */
function isSsnShaped(text: string, start: number): boolean {
  const sep = text.charCodeAt(start + 3);
  if ((sep !== 45 /* - */ && sep !== 32) || text.charCodeAt(start + 6) !== sep) return false;
  return allDigits(text, start, 3) && allDigits(text, start + 4, 2) && allDigits(text, start + 7, 4);
}

/**
 * The cheap screen every digit span passes first, without allocating: false only when
 * `classifySpan` would report nothing. Logs are full of spans that are not PII — epoch times
 * and ids (one run of the wrong length or first digit), IP addresses and versions (no group
 * of four digits, which every classifier but E.164 needs: a card group, an SSN serial, a NANP
 * line number) — and splitting them into groups cost more than finding them. Exported for
 * detectors.test.ts, which checks it against `classifySpan`.
 */
export function worthClassifying(text: string, start: number, end: number): boolean {
  if (text.charCodeAt(start - 1) === 43 /* + */) return true;
  let longest = 0;
  let run = 0;
  for (let i = start; i < end; i++) {
    if (isDigit(text.charCodeAt(i))) {
      run++;
      if (run > longest) longest = run;
    } else {
      run = 0;
    }
  }
  const n = end - start;
  if (longest < n) {
    if (longest < 4) return false;
    // `ddd-dd-dddd` can only be an SSN, and most such spans in logs are near-misses (area
    // 000/666/9xx, group 00): judge it here.
    if (n === 11 && isSsnShaped(text, start)) return ssnValidAt(text, start, start + 4, start + 7);
    return true;
  }
  // One run of digits. Glued to a letter it is part of a token; otherwise only a 9-digit
  // number (SSN, routing) or a card length with a brand's first digit and Luhn can hold PII.
  if (isWordChar(text.charCodeAt(end))) return false;
  if (n === 9) return true;
  const first = text.charCodeAt(start);
  return n >= 13 && n <= 19 && first >= 50 && first <= 54 && luhnValidAt(text, start, end);
}

/** Reports the PII in one digit span (a `candidates` match starting with a digit). */
export function classifySpan(text: string, start: number, end: number, emit: Emit): void {
  // A last group glued to a letter (`…1111x`) is part of a token, not a number.
  const glued = isWordChar(text.charCodeAt(end));
  if (!glued && (classifyRun(text, start, end, emit) || classifyCommonShape(text, start, end, emit))) return;
  classifyGroups(text, start, end, glued, emit);
}

/**
 * `classifySpan` without `classifyCommonShape`: every span with separators split into groups.
 * Exported for digit-spans.test.ts, which checks that both routes report the same findings.
 */
export function classifySpanByGroups(text: string, start: number, end: number, emit: Emit): void {
  const glued = isWordChar(text.charCodeAt(end));
  if (!glued && classifyRun(text, start, end, emit)) return;
  classifyGroups(text, start, end, glued, emit);
}

/** The general route: split into groups, then each classifier from each group on. */
function classifyGroups(text: string, start: number, end: number, glued: boolean, emit: Emit): void {
  const groups = splitGroups(text, start, end);
  if (glued) groups.pop();
  let remaining = 0;
  for (const g of groups) remaining += g.end - g.start;
  let i = 0;
  while (i < groups.length) {
    // Past the first group (the only place E.164 starts), every detector needs nine or more
    // digits: stop when fewer are left (the `259-00-3077` near-misses stop after one round).
    if (i > 0 && remaining < 9) break;
    const hit =
      e164At(text, groups, i) ??
      cardAt(text, groups, i) ??
      ssnAt(text, groups, i) ??
      nanpAt(text, groups, i) ??
      abaAt(text, groups, i);
    const next = hit ? hit.lastGroup + 1 : i + 1;
    if (hit) emit(hit.match);
    for (; i < next; i++) remaining -= (groups[i] as Group).end - (groups[i] as Group).start;
  }
}

/**
 * Nearly every span with separators that passes the screen has one of three shapes: a card
 * number in four groups of four, `ddd-dd-dddd` and `(ddd) ddd-dddd`. In a fresh process the
 * cost of a span is the JavaScript that judges it, run before V8 has optimised it, so these are
 * judged where they lie, by char codes, reporting what the group classifiers would; returns
 * false for any other span (and after a `+`, where a span may be an E.164 number instead).
 * The span is not glued to a word character.
 */
function classifyCommonShape(text: string, start: number, end: number, emit: Emit): boolean {
  if (text.charCodeAt(start - 1) === 43 /* + */) return false;
  const n = end - start;
  if (n === 19) return classifyCardOfFourGroups(text, start, end, emit);
  if (n === 11) return classifySsnShape(text, start, end, emit);
  if (n === 12 || n === 13) return classifyParenthesisedNanp(text, start, end, emit);
  return false;
}

/** `dddd dddd dddd dddd` or with `-`: a card if Luhn and a brand agree, otherwise nothing. */
function classifyCardOfFourGroups(text: string, start: number, end: number, emit: Emit): boolean {
  const sep = text.charCodeAt(start + 4);
  if (sep !== 32 && sep !== 45 /* - */) return false;
  if (text.charCodeAt(start + 9) !== sep || text.charCodeAt(start + 14) !== sep) return false;
  for (let at = start; at < end; at += 5) if (!allDigits(text, at, 4)) return false;
  if (!luhnValidGroupedAt(text, start, end)) return true;
  const digits =
    text.slice(start, start + 4) +
    text.slice(start + 5, start + 9) +
    text.slice(start + 10, start + 14) +
    text.slice(start + 15, end);
  if (cardBrand(digits) !== undefined) emit({ type: 'payment-card', start, end, masked: maskDigits(digits) });
  return true;
}

/** `ddd-dd-dddd` or `ddd dd dddd`: an SSN if `ssnValid` agrees, otherwise nothing. */
function classifySsnShape(text: string, start: number, end: number, emit: Emit): boolean {
  if (!isSsnShaped(text, start)) return false;
  if (ssnValidAt(text, start, start + 4, start + 7))
    emit({ type: 'us-ssn', start, end, masked: maskSsn(text.slice(start + 7, end)) });
  return true;
}

/**
 * `(ddd) ddd-dddd` or `(ddd)ddd-dddd`, the line after `-`, `.` or a space (the span starts after
 * the parenthesis; the finding includes it): a phone number if `nanpValid` agrees.
 */
function classifyParenthesisedNanp(text: string, start: number, end: number, emit: Emit): boolean {
  if (text.charCodeAt(start - 1) !== 40 /* ( */ || text.charCodeAt(start + 3) !== 41 /* ) */) return false;
  const exchangeAt = end - start === 13 ? start + 5 : start + 4;
  if (exchangeAt === start + 5 && text.charCodeAt(start + 4) !== 32) return false;
  const sep = text.charCodeAt(exchangeAt + 3);
  if (sep !== 45 /* - */ && sep !== 46 /* . */ && sep !== 32) return false;
  const lineAt = exchangeAt + 4;
  if (!allDigits(text, start, 3) || !allDigits(text, exchangeAt, 3) || !allDigits(text, lineAt, 4))
    return false;
  if (nanpValidAt(text, start, exchangeAt, lineAt))
    emit({ type: 'phone', start: start - 1, end, masked: `***-***-${text.slice(lineAt, end)}` });
  return true;
}

function allDigits(text: string, at: number, count: number): boolean {
  for (let i = at; i < at + count; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

// ---------------------------------------------------------------- candidates

export function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}
