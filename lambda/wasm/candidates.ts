/*
 * The candidate pass of the PII scanner, compiled to WebAssembly (AssemblyScript): the search for
 * `PATTERNS.candidates` (digit spans and IBANs; patterns.ts is the specification,
 * detectors.test.ts checks this finds exactly its matches), the IBAN check, and the first judge
 * of every digit span. The judge drops the spans that hold no PII, reports the common shapes itself
 * (a card number, `ddd-dd-dddd`, `(ddd) ddd-dddd`, `+` and a run of digits, nine digits after a
 * keyword), and leaves the rest to JavaScript's general route (src/pii/digit-spans.ts), which is
 * the reference it is tested against. `npm run build:wasm -w @sep/lambda` regenerates
 * src/pii/generated/candidates-wasm.ts; candidates.test.ts fails when that is stale.
 *
 * Why WebAssembly: a Lambda that scans one object per container scans cold. In JavaScript the
 * regex loop and the judges of the ~50,000 spans of an 8 MiB object ran in V8's interpreter while
 * its optimising compiler compiled them on other threads, and that cost more CPU than the work.
 * WebAssembly is compiled before its first call, once, and quickly; the search looks at sixteen
 * bytes at a time (lambda/README.md has the figures).
 *
 * Memory, laid out by the caller (src/pii/candidates.ts) above `dataEnd()`: the IBAN lengths
 * table; the window's text, one byte per latin1 char, with a zero byte just before and just after
 * it (read where JavaScript's `charCodeAt` would return NaN: neither `+` nor a word character);
 * then the findings, as (start, end, verdict) triples of i32, in order, start and end being
 * offsets into the text.
 */

// Verdicts. candidates.ts reads these exported globals, so the codes live here only.

/** Nothing to report: the span is dropped. */
export const NOTHING: i32 = 0;
/** A payment card, text[start, end): one run, or four groups of four. */
export const CARD: i32 = 1;
/** A US SSN, text[start, end): `ddd-dd-dddd`, `ddd dd dddd`, or nine digits after a word that says so. */
export const SSN: i32 = 2;
/** A NANP phone number `(ddd) ddd-dddd`: the finding starts at the parenthesis, start - 1. */
export const PHONE_PARENTHESISED: i32 = 3;
/** An E.164 phone number, `+` then one run of digits: the finding starts at the `+`, start - 1. */
export const PHONE_E164: i32 = 4;
/** A routing number (ABA): one run of nine digits after a word that says so, text[start, end). */
export const ROUTING: i32 = 5;
/** Any other shape that may hold PII: for JavaScript's general route. */
export const GROUPS: i32 = 6;
/** An IBAN, text[start, end) (`scan` only). */
export const IBAN: i32 = 7;

const PLUS: u32 = 43;
const SPACE: u32 = 32;
const HYPHEN: u32 = 45;
const DOT: u32 = 46;
const ZERO: u32 = 48;
const ONE: u32 = 49;

function at(text: usize, i: i32): u32 {
  return load<u8>(text + i);
}

function isDigit(code: u32): bool {
  return code - ZERO <= 9;
}

/** A-Z (unsigned: anything below 65 wraps above 25). */
function isCapital(code: u32): bool {
  return code - 65 <= 25;
}

function isWordChar(code: u32): bool {
  return isDigit(code) || isCapital(code) || code - 97 <= 25 || code === 95;
}

function allDigits(text: usize, from: i32, count: i32): bool {
  for (let i = from; i < from + count; i++) if (!isDigit(at(text, i))) return false;
  return true;
}

/** The number the `count` digits at text[from] spell. */
function digitsValue(text: usize, from: i32, count: i32): u32 {
  let value: u32 = 0;
  for (let i = from; i < from + count; i++) value = value * 10 + (at(text, i) - ZERO);
  return value;
}

/** Luhn (mod 10) over the digits of text[start, end), skipping separators (validators.ts `luhnValid`). */
function luhnValid(text: usize, start: i32, end: i32): bool {
  let sum: u32 = 0;
  let double = false;
  for (let i = end - 1; i >= start; i--) {
    let d = at(text, i) - ZERO;
    if (d > 9) continue;
    if (double) {
      d <<= 1;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * A major brand issues `n`-digit numbers starting with the six digits `p6` (validators.ts
 * `cardBrand`, by IIN range).
 */
function cardBrandIssues(p6: u32, n: i32): bool {
  const p2 = p6 / 10_000;
  const p3 = p6 / 1_000;
  const p4 = p6 / 100;
  if (p6 / 100_000 === 4) return n === 13 || n === 16 || n === 19;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16;
  if (p2 === 34 || p2 === 37) return n === 15;
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925))
    return n >= 16 && n <= 19;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19;
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14 && n <= 19;
  if (p2 === 62) return n >= 16 && n <= 19;
  return false;
}

/** US SSN rules (validators.ts `ssnValid`): area 001–899 but 666, group 01–99, serial 0001–9999, not voided. */
function ssnValid(text: usize, areaAt: i32, groupAt: i32, serialAt: i32): bool {
  const area = digitsValue(text, areaAt, 3);
  const group = digitsValue(text, groupAt, 2);
  const serial = digitsValue(text, serialAt, 4);
  if (area === 0 || area === 666 || area >= 900) return false;
  if (group === 0 || serial === 0) return false;
  // Published, then voided: 078-05-1120, 219-09-9999, 123-45-6789.
  const whole = area * 1_000_000 + group * 10_000 + serial;
  return whole !== 78_051_120 && whole !== 219_099_999 && whole !== 123_456_789;
}

/**
 * NANP rules (validators.ts `nanpValid`): area and exchange start 2–9 and are not N11 service
 * codes; 555-01xx is reserved for fiction.
 */
function nanpValid(text: usize, areaAt: i32, exchangeAt: i32, lineAt: i32): bool {
  const areaFirst = at(text, areaAt);
  const exchangeFirst = at(text, exchangeAt);
  if (areaFirst === ZERO || areaFirst === ONE || exchangeFirst === ZERO || exchangeFirst === ONE)
    return false;
  if (at(text, areaAt + 1) === ONE && at(text, areaAt + 2) === ONE) return false;
  if (at(text, exchangeAt + 1) === ONE && at(text, exchangeAt + 2) === ONE) return false;
  return !(
    digitsValue(text, exchangeAt, 3) === 555 &&
    at(text, lineAt) === ZERO &&
    at(text, lineAt + 1) === ONE
  );
}

/** `ddd-dd-dddd` or `ddd dd dddd` starting at `start`. */
function isSsnShaped(text: usize, start: i32): bool {
  const sep = at(text, start + 3);
  if ((sep !== HYPHEN && sep !== SPACE) || at(text, start + 6) !== sep) return false;
  return allDigits(text, start, 3) && allDigits(text, start + 4, 2) && allDigits(text, start + 7, 4);
}

/**
 * The cheap screen: false only when the span holds nothing to report. Logs are full of spans
 * that are not PII: epoch times and ids (one run of the wrong length or first digit), IP
 * addresses and versions (no group of four digits, which every classifier but E.164 needs: a
 * card group, an SSN serial, a NANP line number).
 */
function worthJudging(text: usize, start: i32, end: i32, longest: i32): bool {
  if (at(text, start - 1) === PLUS) return true;
  const n = end - start;
  if (longest < n) {
    if (longest < 4) return false;
    // `ddd-dd-dddd` can only be an SSN, and most such spans in logs are near-misses (area
    // 000/666/9xx, group 00): judge it here.
    if (n === 11 && isSsnShaped(text, start)) return ssnValid(text, start, start + 4, start + 7);
    return true;
  }
  // One run of digits. Glued to a letter it is part of a token; otherwise only a 9-digit
  // number (SSN, routing) or a card length with a brand's first digit and Luhn can hold PII.
  if (isWordChar(at(text, end))) return false;
  if (n === 9) return true;
  const first = at(text, start);
  return n >= 13 && n <= 19 && first >= 50 && first <= 54 && luhnValid(text, start, end);
}

/** Where the caller's memory may start: past this module's static data (the keywords). */
export function dataEnd(): usize {
  return __heap_base;
}

/** Words that make nine digits an SSN, lower case (PATTERNS.ssnKeyword in patterns.ts). */
const SSN_KEYWORDS: StaticArray<string> = ['ssn', 'social security', 'soc sec', 'ss#'];
/** Words that make nine digits a routing number, whole words, lower case (PATTERNS.routingKeyword). */
const ROUTING_KEYWORDS: StaticArray<string> = ['routing', 'aba', 'rtn', 'transit'];

function lowerCase(code: u32): u32 {
  return isCapital(code) ? code + 32 : code;
}

/**
 * Where the words before a number start: up to 32 characters before it, but not reaching past
 * another digit (digit-spans.ts `context`).
 */
function contextStart(text: usize, start: i32): i32 {
  let from = start - 1;
  while (from >= 0 && start - from <= 32 && !isDigit(at(text, from))) from--;
  return from + 1;
}

/**
 * One of `keywords` starts a word in text[from, to), case-insensitively (from counts as a word's
 * start, as it does for the regex run on the sliced context); with `wholeWord`, it also ends one.
 */
function hasKeyword(text: usize, from: i32, to: i32, keywords: StaticArray<string>, wholeWord: bool): bool {
  for (let p = from; p < to; p++) {
    if (p > from && isWordChar(at(text, p - 1))) continue;
    for (let k = 0; k < keywords.length; k++) {
      const keyword = unchecked(keywords[k]);
      const after = p + keyword.length;
      if (after > to) continue;
      let matches = true;
      for (let i = 0; i < keyword.length && matches; i++)
        matches = lowerCase(at(text, p + i)) === <u32>keyword.charCodeAt(i);
      if (matches && (!wholeWord || after === to || !isWordChar(at(text, after)))) return true;
    }
  }
  return false;
}

/**
 * ABA routing number (validators.ts `abaValid`): a Federal Reserve prefix (00–12 banks, 21–32
 * thrifts, 61–72 electronic, 80 traveller's cheques) and the 3-7-1 weighted checksum.
 */
function abaValid(text: usize, start: i32): bool {
  const prefix = digitsValue(text, start, 2);
  const prefixOk =
    (prefix >= 1 && prefix <= 12) ||
    (prefix >= 21 && prefix <= 32) ||
    (prefix >= 61 && prefix <= 72) ||
    prefix === 80;
  if (!prefixOk) return false;
  let sum: u32 = 0;
  for (let i = 0; i < 9; i += 3)
    sum +=
      3 * (at(text, start + i) - ZERO) +
      7 * (at(text, start + i + 1) - ZERO) +
      (at(text, start + i + 2) - ZERO);
  return sum % 10 === 0;
}

/** Nine digits: an SSN or a routing number only if the words before them say so. */
function judgeNineDigits(text: usize, start: i32): i32 {
  const from = contextStart(text, start);
  if (hasKeyword(text, from, start, SSN_KEYWORDS, false) && ssnValid(text, start, start + 3, start + 5))
    return SSN;
  if (abaValid(text, start) && hasKeyword(text, from, start, ROUTING_KEYWORDS, true)) return ROUTING;
  return NOTHING;
}

/** One run of digits, not glued to a word character. */
function judgeRun(text: usize, start: i32, end: i32): i32 {
  const n = end - start;
  if (at(text, start - 1) === PLUS) {
    // E.164: 8–15 digits, the country code not starting with 0; after a 1, a valid NANP number.
    const first = at(text, start);
    if (n < 8 || n > 15 || first === ZERO) return NOTHING;
    if (first === ONE)
      return n === 11 && nanpValid(text, start + 1, start + 4, start + 7) ? PHONE_E164 : NOTHING;
    return PHONE_E164;
  }
  if (n >= 13 && n <= 19) return cardBrandIssues(digitsValue(text, start, 6), n) ? CARD : NOTHING;
  return n === 9 ? judgeNineDigits(text, start) : NOTHING;
}

/** `dddd dddd dddd dddd` or with `-`: a card if Luhn and a brand agree. */
function judgeFourGroups(text: usize, start: i32, end: i32): i32 {
  const sep = at(text, start + 4);
  if (sep !== SPACE && sep !== HYPHEN) return GROUPS;
  if (at(text, start + 9) !== sep || at(text, start + 14) !== sep) return GROUPS;
  for (let group = start; group < end; group += 5) if (!allDigits(text, group, 4)) return GROUPS;
  if (!luhnValid(text, start, end)) return NOTHING;
  const p6 = digitsValue(text, start, 4) * 100 + digitsValue(text, start + 5, 2);
  return cardBrandIssues(p6, 16) ? CARD : NOTHING;
}

/**
 * `(ddd) ddd-dddd` or `(ddd)ddd-dddd`, the line after `-`, `.` or a space; the span starts after
 * the parenthesis.
 */
function judgeParenthesisedNanp(text: usize, start: i32, end: i32): i32 {
  if (at(text, start - 1) !== 40 /* ( */ || at(text, start + 3) !== 41 /* ) */) return GROUPS;
  const exchangeAt = end - start === 13 ? start + 5 : start + 4;
  if (exchangeAt === start + 5 && at(text, start + 4) !== SPACE) return GROUPS;
  const sep = at(text, exchangeAt + 3);
  if (sep !== HYPHEN && sep !== DOT && sep !== SPACE) return GROUPS;
  const lineAt = exchangeAt + 4;
  if (!allDigits(text, start, 3) || !allDigits(text, exchangeAt, 3) || !allDigits(text, lineAt, 4))
    return GROUPS;
  return nanpValid(text, start, exchangeAt, lineAt) ? PHONE_PARENTHESISED : NOTHING;
}

/** The verdict on the digit span text[start, end) (a `candidates` match starting with a digit). */
function judge(text: usize, start: i32, end: i32): i32 {
  let longest = 0;
  let run = 0;
  for (let i = start; i < end; i++) {
    if (isDigit(at(text, i))) {
      run++;
      if (run > longest) longest = run;
    } else {
      run = 0;
    }
  }
  if (!worthJudging(text, start, end, longest)) return NOTHING;
  // A last group glued to a letter (`…1111x`) is part of a token: the general route drops it.
  if (isWordChar(at(text, end))) return GROUPS;
  const n = end - start;
  if (longest === n) return judgeRun(text, start, end);
  // After a `+` a span may be an E.164 number in groups.
  if (at(text, start - 1) === PLUS) return GROUPS;
  if (n === 19) return judgeFourGroups(text, start, end);
  if (n === 11) return isSsnShaped(text, start) ? SSN : GROUPS;
  if (n === 12 || n === 13) return judgeParenthesisedNanp(text, start, end);
  return GROUPS;
}

/**
 * Whether text[start, end), an IBAN printed in groups of four or electronic (a `candidates` match
 * starting with a capital), is one (validators.ts `ibanValid`): its country's length in `lengths`
 * (26 × 26 bytes by the country code's letters, 0 for a country without IBANs) and ISO 7064 mod
 * 97 = 1 over the characters moved to put the first four last.
 */
function ibanValid(lengths: usize, text: usize, start: i32, end: i32): bool {
  const first = at(text, start) - 65;
  const second = at(text, start + 1) - 65;
  if (first > 25 || second > 25) return false;
  const country = first * 26 + second;
  let length: u32 = 0;
  for (let i = start; i < end; i++) if (at(text, i) !== SPACE) length++;
  if (length !== <u32>load<u8>(lengths + country)) return false;
  let remainder: u32 = 0;
  // The BBAN after the country code and check digits (contiguous: the pattern puts no space in them), then those four.
  for (let k = 0; k < 2; k++) {
    const from = k === 0 ? start + 4 : start;
    const to = k === 0 ? end : start + 4;
    for (let i = from; i < to; i++) {
      const c = at(text, i);
      if (c === SPACE) continue;
      if (isDigit(c)) remainder = (remainder * 10 + (c - ZERO)) % 97;
      else if (isCapital(c)) remainder = (remainder * 100 + (c - 55)) % 97;
      else return false;
    }
  }
  return remainder === 1;
}

/** Digits the pattern's digit span holds at most and at least. */
const SPAN_MAX_DIGITS = 64;
const SPAN_MIN_DIGITS = 9;

function isSeparator(code: u32): bool {
  return code === SPACE || code === DOT || code === HYPHEN || code === 40 /* ( */ || code === 41 /* ) */;
}

/** `[A-Z0-9]`: an IBAN character, and where a candidate can start. */
function isDigitOrCapital(code: u32): bool {
  return isDigit(code) || isCapital(code);
}

/**
 * The digit alternative of `PATTERNS.candidates` at `p` (a digit after a word boundary):
 * `[0-9](?:[ .()-]{0,2}[0-9]){8,63}`, greedy. From each digit only one of "a digit", "a separator
 * and a digit", "two separators and a digit" can follow, so the match is the chain of digits from
 * `p`, at most 64 of them, if it holds at least 9. Returns its end, or -1.
 */
function digitSpanEnd(text: usize, p: i32): i32 {
  let last = p;
  let digits = 1;
  while (digits < SPAN_MAX_DIGITS) {
    // The zero byte after the text is neither a digit nor a separator, so no read passes it.
    let next = last + 1;
    if (!isDigit(at(text, next))) {
      if (!isSeparator(at(text, next))) break;
      next++;
      if (!isDigit(at(text, next))) {
        if (!isSeparator(at(text, next))) break;
        next++;
        if (!isDigit(at(text, next))) break;
      }
    }
    last = next;
    digits++;
  }
  return digits >= SPAN_MIN_DIGITS ? last + 1 : -1;
}

/**
 * The IBAN alternative of `PATTERNS.candidates` at `p` (a capital after a word boundary):
 * `[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b`, with irregexp's backtracking:
 * the most groups first, then the longest tail (3, 2, 1 characters, then none), each with the
 * space tried first, until a word boundary follows. Returns its end, or -1.
 */
function ibanShapeEnd(text: usize, p: i32): i32 {
  if (!isCapital(at(text, p + 1)) || !isDigit(at(text, p + 2)) || !isDigit(at(text, p + 3))) return -1;
  for (let groups = 7; groups >= 2; groups--) {
    const base = ibanGroupsEnd(text, p + 4, groups);
    if (base < 0) continue;
    const tailFrom = at(text, base) === SPACE ? base + 1 : base;
    let tail = 0;
    while (tail < 3 && isDigitOrCapital(at(text, tailFrom + tail))) tail++;
    for (let length = tail; length >= 1; length--)
      if (!isWordChar(at(text, tailFrom + length))) return tailFrom + length;
    if (!isWordChar(at(text, base))) return base;
  }
  return -1;
}

/**
 * Where `groups` groups of four from `q` end (each a space if there is one, then four characters),
 * or -1 if fewer follow.
 */
function ibanGroupsEnd(text: usize, q: i32, groups: i32): i32 {
  for (let group = 0; group < groups; group++) {
    const from = at(text, q) === SPACE ? q + 1 : q;
    if (!isDigitOrCapital(at(text, from)) || !isDigitOrCapital(at(text, from + 1))) return -1;
    if (!isDigitOrCapital(at(text, from + 2)) || !isDigitOrCapital(at(text, from + 3))) return -1;
    q = from + 4;
  }
  return q;
}

/** Where the last `scan` left its pass to resume: past the last span or IBAN it reported. */
let resume: i32 = 0;

export function resumeAt(): i32 {
  return resume;
}

/** Appends a (start, end, verdict) triple to the findings at `out`; returns how many there are. */
function append(out: usize, count: i32, start: i32, end: i32, verdict: i32): i32 {
  const to = out + <usize>count * 12;
  store<i32>(to, start);
  store<i32>(to, end, 4);
  store<i32>(to, verdict, 8);
  return count + 1;
}

/**
 * The candidate pass over the text: runs `PATTERNS.candidates` from `from` (its matches starting
 * before `limit`), judges each digit span (`judge`) and each IBAN-shaped match (`ibanValid`; one
 * that fails is searched again from its third character, for the digit spans inside it), and
 * writes what it keeps to `out` as (start, end, verdict) triples: the spans whose verdict is not
 * NOTHING and the valid IBANs (verdict IBAN). With `keepAll`, every digit span is written
 * unjudged (verdict GROUPS), for tests that compare the spans with the pattern's. Returns how many
 * triples it wrote; `resumeAt()` then says where the pass resumes.
 */
export function scan(lengths: usize, text: usize, from: i32, limit: i32, out: usize, keepAll: bool): i32 {
  let kept = 0;
  resume = from;
  let p = nextStart(text, from, limit);
  while (p < limit) {
    if (isDigit(at(text, p))) {
      const end = digitSpanEnd(text, p);
      if (end >= 0) {
        const verdict = keepAll ? GROUPS : judge(text, p, end);
        if (verdict !== NOTHING) kept = append(out, kept, p, end, verdict);
        resume = end;
        p = nextStart(text, end, limit);
        continue;
      }
    } else {
      const end = ibanShapeEnd(text, p);
      if (end >= 0) {
        if (ibanValid(lengths, text, p, end)) {
          kept = append(out, kept, p, end, IBAN);
          resume = end;
          p = nextStart(text, end, limit);
        } else {
          // Not an IBAN: search again after the two letters, so digit spans inside are judged.
          p = nextStart(text, p + 2, limit);
        }
        continue;
      }
    }
    p = nextStart(text, p + 1, limit);
  }
  return kept;
}

/**
 * The first position in [from, limit) where `PATTERNS.candidates` can start: a digit or a capital
 * after a word boundary (the byte before the text is zero: a non-word char); `limit` if none.
 * Sixteen bytes at a time: most of a text cannot start a match, and about half of its 16-byte
 * blocks hold no such position at all.
 */
function nextStart(text: usize, from: i32, limit: i32): i32 {
  let p = from;
  for (; p + 16 <= limit; p += 16) {
    const starts = i8x16.bitmask(
      v128.andnot(startChars(v128.load(text + p)), wordChars(v128.load(text + p - 1))),
    );
    if (starts !== 0) return p + ctz(starts);
  }
  for (; p < limit; p++) {
    const c = at(text, p);
    if (isDigitOrCapital(c) && !isWordChar(at(text, p - 1))) return p;
  }
  return limit;
}

/** In each lane, all ones where the byte is `lowest` to `lowest + count - 1`. */
function inRange(bytes: v128, lowest: i8, count: i8): v128 {
  return i8x16.lt_u(i8x16.sub(bytes, i8x16.splat(lowest)), i8x16.splat(count));
}

/** Lanes holding a digit or a capital: where a candidate may start. */
function startChars(bytes: v128): v128 {
  return v128.or(inRange(bytes, 48, 10), inRange(bytes, 65, 26));
}

/** Lanes holding a word character: `[0-9A-Za-z_]`. */
function wordChars(bytes: v128): v128 {
  return v128.or(v128.or(startChars(bytes), inRange(bytes, 97, 26)), i8x16.eq(bytes, i8x16.splat(95)));
}

/** The verdict on one digit span text[start, end) (a `candidates` match starting with a digit). */
export function judgeSpan(text: usize, start: i32, end: i32): i32 {
  return judge(text, start, end);
}
