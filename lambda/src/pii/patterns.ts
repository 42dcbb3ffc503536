/**
 * The scanner's regular expressions, named, so the test suite can prove each is linear-time with
 * `recheck`. `candidates` is the specification of the candidate pass, which the scanner runs as
 * its WebAssembly equivalent (candidates.ts; detectors.test.ts checks they find the same).
 */
export const PATTERNS = {
  /**
   * Two alternatives with disjoint first characters: a digit span — 9–64 digits with at most two
   * separator characters between digits — or an upper-case IBAN, printed in groups of four or
   * electronic. Not run by the scanner: the WebAssembly search (lambda/wasm/candidates.ts
   * `scan`) finds exactly its matches, and the bench gives it to ripgrep. The eight required
   * digit groups are written out instead of `(?:[ .()-]{0,2}[0-9]){8,63}`: same language
   * (detectors.test.ts compares the two); irregexp compiled the written-out prefix into tighter
   * code when the scanner ran it.
   */
  candidates: new RegExp(
    `\\b(?:[0-9]${'(?:[ .()-]{0,2}[0-9])'.repeat(8)}(?:[ .()-]{0,2}[0-9]){0,55}|[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\\b)`,
    'g',
  ),
  /**
   * Long-term (AKIA) and temporary (ASIA) access key IDs: 20 characters of base32. Sticky: run
   * only where `indexOf('IA')` found a prefix.
   */
  accessKeyId: /\b(?:AKIA|ASIA)[A-Z2-7]{16}\b/y,
  /** Domain after `@`: up to 8 labels and an alphabetic TLD, not followed by more domain. */
  emailDomain: /(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-]|\.[A-Za-z0-9])/y,
  /** Context that makes a bare 9-digit number an SSN. */
  ssnKeyword: /\b(?:ssn|ssns|social security|soc sec|ss#)/,
  /** Context that makes a bare 9-digit number a routing number. */
  routingKeyword: /\b(?:routing|aba|rtn|transit)\b/,
} as const;
