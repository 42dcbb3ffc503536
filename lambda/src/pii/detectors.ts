import { classifySpan, isUpper, worthClassifying } from './digit-spans';
import { maskAccessKeyId, maskEmail, maskIban } from './mask';
import { PATTERNS } from './patterns';
import type { PiiType } from './types';
import { ibanValid } from './validators';

/**
 * Detectors run over a window of latin1-decoded text (one char per byte, so offsets are
 * byte offsets and every pattern is ASCII). Each pass is anchored on something cheap —
 * a digit after a word boundary or two capitals and two digits (one regex), `@` and the
 * `IA` of `AKIA`/`ASIA` (native indexOf) — and the expensive checks (Luhn, mod 97, ranges)
 * run only on candidates, after a screen that drops most of them without allocating.
 * Combining detectors into one alternation was measured 3–10x slower.
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

function onIban(text: string, start: number, end: number, emit: Emit): boolean {
  const compact = text.slice(start, end).replaceAll(' ', '');
  if (!ibanValid(compact)) return false;
  emit({ type: 'iban', start, end, masked: maskIban(compact) });
  return true;
}

/** Digit spans and IBANs: `PATTERNS.candidates`, then the screen and classifiers, or mod 97. */
const candidatePass: Pass = {
  name: 'digits-iban',
  run(text, from, limit, emit) {
    const re = PATTERNS.candidates;
    re.lastIndex = from;
    let resume = from;
    for (let m = re.exec(text); m !== null && m.index < limit; m = re.exec(text)) {
      const start = m.index;
      const end = re.lastIndex;
      if (!isUpper(text.charCodeAt(start))) {
        if (worthClassifying(text, start, end)) classifySpan(text, start, end, emit);
        resume = end;
      } else if (onIban(text, start, end, emit)) {
        resume = end;
      } else {
        // Not an IBAN: rescan after the two letters so digit spans inside are still judged.
        re.lastIndex = start + 2;
      }
    }
    return Math.max(resume, limit);
  },
};

// ---------------------------------------------------------------- other passes

const accessKeyPass: Pass = {
  name: 'aws-access-key-id',
  run(text, from, limit, emit) {
    const re = PATTERNS.accessKeyId;
    let resume = from;
    // Anchored on the `IA` of AKIA/ASIA: indexOf is a native search, about three times faster
    // than the global regex looking for its own prefix. Matches do not overlap, as with /g.
    let at = text.indexOf('IA', from + 2);
    while (at !== -1 && at - 2 < limit) {
      re.lastIndex = at - 2;
      if (re.test(text)) {
        emit({
          type: 'aws-access-key-id',
          start: at - 2,
          end: re.lastIndex,
          masked: maskAccessKeyId(text.slice(at - 2, re.lastIndex)),
        });
        resume = re.lastIndex;
        at = text.indexOf('IA', resume + 2);
      } else {
        at = text.indexOf('IA', at + 1);
      }
    }
    return Math.max(resume, limit);
  },
};

/** `@`-anchored: walk back over the local part (≤ 64), then the domain regex, sticky at `@`+1. */
const emailPass: Pass = {
  name: 'email',
  run(text, from, limit, emit) {
    const domainPattern = PATTERNS.emailDomain;
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

/**
 * The passes in the order they run; each keeps its own resume position across windows. Their
 * regexes are the module-level PATTERNS, reused (no allocation per window): every pass sets
 * lastIndex before each use, and a window is scanned synchronously.
 */
export const PASSES: readonly Pass[] = [candidatePass, accessKeyPass, emailPass];
