/**
 * Checksums and range rules that turn "looks like a number" into "is one". Each takes
 * only the significant characters (digits, or upper-case IBAN characters).
 */

/** Luhn (mod 10) over a string of digits. */
export function luhnValid(digits: string): boolean {
  return luhnValidAt(digits, 0, digits.length);
}

/** Luhn over the digits text[start, end), without slicing. */
export function luhnValidAt(text: string, start: number, end: number): boolean {
  // A run of digits is a group with no separators: one Luhn loop for both.
  return luhnValidGroupedAt(text, start, end);
}

/**
 * Luhn over the digits of text[start, end), skipping the separators between groups
 * (`4111 1111 1111 1111`): a grouped card number judged where it lies, without joining its digits.
 */
export function luhnValidGroupedAt(text: string, start: number, end: number): boolean {
  let sum = 0;
  let double = false;
  for (let i = end - 1; i >= start; i--) {
    let d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) continue;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'jcb' | 'diners' | 'unionpay';

/** Brand by IIN range and the lengths that brand issues; undefined when no major brand matches. */
export function cardBrand(digits: string): CardBrand | undefined {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === '4') return n === 13 || n === 16 || n === 19 ? 'visa' : undefined;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16 ? 'mastercard' : undefined;
  if (p2 === 34 || p2 === 37) return n === 15 ? 'amex' : undefined;
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925)) {
    return n >= 16 && n <= 19 ? 'discover' : undefined;
  }
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19 ? 'jcb' : undefined;
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) {
    return n >= 14 && n <= 19 ? 'diners' : undefined;
  }
  if (p2 === 62) return n >= 16 && n <= 19 ? 'unionpay' : undefined;
  return undefined;
}

/** Numbers the SSA never issued or voided after they were published: 078-05-1120, 219-09-9999, 123-45-6789. */
const VOIDED_SSNS = new Set([78_051_120, 219_099_999, 123_456_789]);

/** US SSN rules: area 001–899 except 666, group 01–99, serial 0001–9999, not a published number. */
export function ssnValid(digits: string): boolean {
  return digits.length === 9 && ssnValidAt(digits, 0, 3, 5);
}

/**
 * `ssnValid` on the three-digit area, two-digit group and four-digit serial where they lie in
 * `text` (`ddd-dd-dddd` or one run), without slicing: most SSN-shaped spans in logs are refused.
 */
export function ssnValidAt(text: string, areaAt: number, groupAt: number, serialAt: number): boolean {
  const area = digitsValue(text, areaAt, 3);
  const group = digitsValue(text, groupAt, 2);
  const serial = digitsValue(text, serialAt, 4);
  if (area === 0 || area === 666 || area >= 900) return false;
  if (group === 0 || serial === 0) return false;
  return !VOIDED_SSNS.has(area * 1_000_000 + group * 10_000 + serial);
}

/** The number the `count` digits at text[at] spell. */
function digitsValue(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

/**
 * ABA routing number: a Federal Reserve prefix (00–12 banks, 21–32 thrifts, 61–72
 * electronic, 80 traveller's cheques) and the 3-7-1 weighted checksum.
 */
export function abaValid(digits: string): boolean {
  if (digits.length !== 9) return false;
  const prefix = Number(digits.slice(0, 2));
  const prefixOk =
    (prefix >= 1 && prefix <= 12) ||
    (prefix >= 21 && prefix <= 32) ||
    (prefix >= 61 && prefix <= 72) ||
    prefix === 80;
  if (!prefixOk) return false;
  const d = (i: number) => digits.charCodeAt(i) - 48;
  const sum = 3 * (d(0) + d(3) + d(6)) + 7 * (d(1) + d(4) + d(7)) + (d(2) + d(5) + d(8));
  return sum % 10 === 0;
}

/** IBAN lengths by country (SWIFT IBAN registry). A country not listed is refused. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HN: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

/** IBAN: known country, that country's exact length, and ISO 7064 mod 97 = 1. */
export function ibanValid(compact: string): boolean {
  const expected = IBAN_LENGTHS[compact.slice(0, 2)];
  if (expected === undefined || compact.length !== expected) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c >= 48 && c <= 57) remainder = (remainder * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) remainder = (remainder * 100 + (c - 55)) % 97;
    else return false;
  }
  return remainder === 1;
}

/** Char codes of '0' and '1', which NANP's rules single out. */
const ZERO = 48;
const ONE = 49;

/**
 * NANP (US/Canada) number of 10 digits: area and exchange start 2–9 and are not N11
 * service codes; 555-01xx is reserved for fiction and refused.
 */
export function nanpValid(digits: string): boolean {
  return digits.length === 10 && nanpValidAt(digits, 0, 3, 6);
}

/**
 * `nanpValid` on the three-digit area, three-digit exchange and four-digit line where they lie in
 * `text` (`(415) 555-2671`), without slicing.
 */
export function nanpValidAt(text: string, areaAt: number, exchangeAt: number, lineAt: number): boolean {
  const areaFirst = text.charCodeAt(areaAt);
  const exchangeFirst = text.charCodeAt(exchangeAt);
  if (areaFirst === ZERO || areaFirst === ONE || exchangeFirst === ZERO || exchangeFirst === ONE)
    return false;
  if (text.charCodeAt(areaAt + 1) === ONE && text.charCodeAt(areaAt + 2) === ONE) return false;
  if (text.charCodeAt(exchangeAt + 1) === ONE && text.charCodeAt(exchangeAt + 2) === ONE) return false;
  const fictional =
    digitsValue(text, exchangeAt, 3) === 555 &&
    text.charCodeAt(lineAt) === ZERO &&
    text.charCodeAt(lineAt + 1) === ONE;
  return !fictional;
}

/** E.164 international number after a `+`: 8–15 digits, country code not starting with 0. */
export function e164Valid(digits: string): boolean {
  if (digits.length < 8 || digits.length > 15 || digits[0] === '0') return false;
  if (digits[0] === '1') return nanpValid(digits.slice(1));
  return true;
}
