import { CANDIDATES_WASM } from './generated/candidates-wasm';
import { IBAN_LENGTHS } from './validators';

/*
 * The candidate pass's search and first judge, run in WebAssembly (the source, and the reasons for
 * each rule: lambda/wasm/candidates.ts): `PATTERNS.candidates`' digit spans and IBANs found,
 * each span judged, each IBAN checked, in one call per window. JavaScript then reports the few
 * findings it returns.
 */

/** The parts of the WebAssembly API used here: ES2023's lib does not declare it, and the DOM's is not for a Lambda. */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: object };
}

type Verdict =
  | 'NOTHING'
  | 'CARD'
  | 'SSN'
  | 'PHONE_PARENTHESISED'
  | 'PHONE_E164'
  | 'ROUTING'
  | 'GROUPS'
  | 'IBAN';

type CandidatesExports = {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  dataEnd(): number;
  scan(lengths: number, text: number, from: number, limit: number, out: number, keepAll: number): number;
  resumeAt(): number;
  judgeSpan(text: number, start: number, end: number): number;
} & { readonly [verdict in Verdict]: { readonly value: number } };

const PAGE_BYTES = 64 * 1024;
const LETTERS = 26;
/** A span holds at least nine digits and an IBAN fifteen chars, so a text of n chars holds fewer than n / 9 + 1. */
const MIN_SPAN_CHARS = 9;
/** Each finding is a (start, end, verdict) triple. */
export const SPAN_INTS = 3;

/** Instantiated once per process, synchronously: a module of a few KiB compiles at once. */
const { Module, Instance } = (globalThis as unknown as { readonly WebAssembly: WebAssemblyApi }).WebAssembly;
const wasm = new Instance(new Module(Buffer.from(CANDIDATES_WASM, 'base64'))).exports as CandidatesExports;

/** Grows the module's memory to hold `bytes`. */
function reserve(bytes: number): void {
  const { memory } = wasm;
  if (bytes > memory.buffer.byteLength)
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE_BYTES));
}

/** IBAN lengths by country (validators.ts IBAN_LENGTHS), 26 × 26 bytes by the code's letters, past the module's data. */
const LENGTHS_AT = (wasm.dataEnd() + 7) & ~7;
/** Where the text starts: the byte before it stays zero (the char before the first reads as nothing). */
const TEXT_AT = LENGTHS_AT + LETTERS * LETTERS + 8;

reserve(TEXT_AT);
const lengths = new Uint8Array(wasm.memory.buffer, LENGTHS_AT, LETTERS * LETTERS);
for (const [country, length] of Object.entries(IBAN_LENGTHS))
  lengths[(country.charCodeAt(0) - 65) * LETTERS + (country.charCodeAt(1) - 65)] = length;

/** What the pass found in a span or IBAN it kept (the codes are the module's exported globals). */
export const VERDICTS = {
  /** A payment card, text[start, end). */
  card: wasm.CARD.value,
  /** A US SSN, text[start, end). */
  ssn: wasm.SSN.value,
  /** `(ddd) ddd-dddd`: the finding starts at the parenthesis, start - 1. */
  phoneParenthesised: wasm.PHONE_PARENTHESISED.value,
  /** `+` and one run of digits: the finding starts at the `+`, start - 1. */
  phoneE164: wasm.PHONE_E164.value,
  /** A routing number (ABA), text[start, end). */
  routing: wasm.ROUTING.value,
  /** Any other shape that may hold PII: for the general route. */
  groups: wasm.GROUPS.value,
  /** An IBAN, text[start, end). */
  iban: wasm.IBAN.value,
} as const;

/** What one `scan` found. */
export interface Scanned {
  /** Findings, as (start, end, verdict) triples; `count` of them. */
  readonly found: Int32Array;
  readonly count: number;
  /** Where the pass resumes: past the last span or IBAN it reported, at least `from`. */
  readonly resume: number;
}

/**
 * The module's memory, reused window after window (a window is scanned synchronously, like the
 * module-level PATTERNS): the text, then the findings.
 */
class CandidateSearch {
  private foundAt = 0;
  private capacity = 0;

  /** Copies `text` (latin1: one char per byte) into the module's memory, and makes room for its findings. */
  private load(text: string): void {
    this.foundAt = (TEXT_AT + text.length + 1 + 7) & ~7;
    this.capacity = SPAN_INTS * (Math.floor(text.length / MIN_SPAN_CHARS) + 1);
    reserve(this.foundAt + this.capacity * Int32Array.BYTES_PER_ELEMENT);
    const bytes = Buffer.from(wasm.memory.buffer);
    bytes.write(text, TEXT_AT, 'latin1');
    bytes[TEXT_AT + text.length] = 0;
  }

  /**
   * The candidate pass over `text` from `from`, for matches starting before `limit`: the digit
   * spans that may hold PII, each with its verdict, and the valid IBANs. With `keepAll`, every
   * digit span, unjudged (verdict `groups`): for tests comparing the spans with the pattern's.
   * `found` is valid until the next call.
   */
  scan(text: string, from: number, limit: number, keepAll = false): Scanned {
    this.load(text);
    const count = wasm.scan(LENGTHS_AT, TEXT_AT, from, limit, this.foundAt, keepAll ? 1 : 0);
    const found = new Int32Array(wasm.memory.buffer, this.foundAt, this.capacity);
    return { found, count, resume: wasm.resumeAt() };
  }

  /**
   * The verdict on the span text[start, end) (a `candidates` match starting with a digit), or
   * undefined when it holds nothing to report: for `classifySpan` and tests.
   */
  judgeSpan(text: string, start: number, end: number): number | undefined {
    this.load(text);
    const verdict = wasm.judgeSpan(TEXT_AT, start, end);
    return verdict === wasm.NOTHING.value ? undefined : verdict;
  }
}

export const candidateSearch = new CandidateSearch();
