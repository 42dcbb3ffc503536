import { candidateSearch, SPAN_INTS, VERDICTS } from './candidates';
import { reportJudged } from './digit-spans';
import { maskAccessKeyId, maskEmail, maskIban } from './mask';
import { PATTERNS } from './patterns';
import type { PiiType } from './types';

/**
 * Detectors run over a window of latin1-decoded text (one char per byte, so offsets are
 * byte offsets and every pattern is ASCII). Each pass is anchored on something cheap —
 * a digit after a word boundary or two capitals and two digits (one regex), `@` and the
 * `IA` of `AKIA`/`ASIA` (native indexOf) — and the expensive checks (Luhn, mod 97, ranges)
 * run only on candidates: those of digit spans and IBANs in WebAssembly (candidates.ts),
 * which drops most spans before JavaScript sees them. Combining detectors into one
 * alternation was measured 3–10x slower.
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

/** 1 for the chars of an email's local part, by char code (read inline: a helper called per char walked cost a compile of its own). */
const LOCAL_PART_CHAR = new Uint8Array(256);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-') {
  LOCAL_PART_CHAR[c.charCodeAt(0)] = 1;
}

/**
 * Digit spans and IBANs: `PATTERNS.candidates`, searched in WebAssembly (candidates.ts), which
 * judges each digit span and checks each IBAN where it finds them and returns only what may hold
 * PII: in a fresh process, JavaScript running the pattern and judging ~50,000 spans per 8 MiB
 * spent more CPU on V8 compiling it than on the work (lambda/README.md). Here the findings are
 * reported: the shapes the judge settled with their masked form, any other by the general route.
 */
const candidatePass: Pass = {
  name: 'digits-iban',
  run(text, from, limit, emit) {
    const { found, count, resume } = candidateSearch.scan(text, from, limit);
    for (let k = 0; k < count * SPAN_INTS; k += SPAN_INTS) {
      const start = found[k] as number;
      const end = found[k + 1] as number;
      const verdict = found[k + 2] as number;
      if (verdict === VERDICTS.iban) {
        const compact = text.slice(start, end).replaceAll(' ', '');
        emit({ type: 'iban', start, end, masked: maskIban(compact) });
      } else reportJudged(text, start, end, verdict, emit);
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
      while (s > 0 && s > floor && at - s < 65 && LOCAL_PART_CHAR[text.charCodeAt(s - 1)] === 1) s--;
      while (s < at && text[s] === '.') s++;
      const local = text.slice(s, at);
      const localOk =
        local.length > 0 &&
        at - s <= 64 &&
        !(s > 0 && LOCAL_PART_CHAR[text.charCodeAt(s - 1)] === 1 && text[s - 1] !== '.') &&
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
