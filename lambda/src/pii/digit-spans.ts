import { candidateSearch, VERDICTS } from './candidates';
import type { Emit, Match } from './detectors';
import { maskDigits, maskSsn } from './mask';
import { PATTERNS } from './patterns';
import { abaValid, cardBrand, e164Valid, luhnValid, nanpValid, ssnValid } from './validators';

/*
 * Digit spans (cards, SSNs, routing numbers, NANP and E.164 phone numbers): what the first judge
 * (candidates.ts, in WebAssembly) found reported with its masked form, and the general route for
 * every other shape, which splits a span into groups and tries each classifier from each group
 * on. The judge and the general route must agree span for span: digit-spans.test.ts checks it.
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

function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}

function isWordChar(code: number): boolean {
  return isDigit(code) || isUpper(code) || (code >= 97 && code <= 122) || code === 95;
}

/** Reports the PII in one digit span (a `candidates` match starting with a digit). */
export function classifySpan(text: string, start: number, end: number, emit: Emit): void {
  const verdict = candidateSearch.judgeSpan(text, start, end);
  if (verdict !== undefined) reportJudged(text, start, end, verdict, emit);
}

/**
 * Reports a span the first judge kept, by its verdict (`VERDICTS`): the shapes it judged whole
 * with their masked form, any other shape by the general route.
 */
export function reportJudged(text: string, start: number, end: number, verdict: number, emit: Emit): void {
  switch (verdict) {
    case VERDICTS.card: {
      // A run, or four groups of four separated by spaces or hyphens.
      const digits = text.slice(start, end).replaceAll(' ', '').replaceAll('-', '');
      emit({ type: 'payment-card', start, end, masked: maskDigits(digits) });
      return;
    }
    case VERDICTS.ssn:
      emit({ type: 'us-ssn', start, end, masked: maskSsn(text.slice(end - 4, end)) });
      return;
    case VERDICTS.phoneParenthesised:
      emit({ type: 'phone', start: start - 1, end, masked: `***-***-${text.slice(end - 4, end)}` });
      return;
    case VERDICTS.phoneE164:
      emit({ type: 'phone', start: start - 1, end, masked: `+${maskDigits(text.slice(start, end))}` });
      return;
    case VERDICTS.routing:
      emit({ type: 'aba-routing', start, end, masked: maskDigits(text.slice(start, end)) });
      return;
    default:
      classifyGroups(text, start, end, isWordChar(text.charCodeAt(end)), emit);
  }
}

/**
 * The general route alone, in JavaScript, for every span (a run after `+` only as E.164, as the
 * judge has it). Exported for digit-spans.test.ts, which checks that both report the same findings.
 */
export function classifySpanByGroups(text: string, start: number, end: number, emit: Emit): void {
  const glued = isWordChar(text.charCodeAt(end));
  const groups = splitGroups(text, start, end);
  if (!glued && groups.length === 1 && text.charCodeAt(start - 1) === 43 /* + */) {
    const hit = e164At(text, groups, 0);
    if (hit) emit(hit.match);
    return;
  }
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
