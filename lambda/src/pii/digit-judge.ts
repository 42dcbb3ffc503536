import { DIGIT_JUDGE_WASM } from './generated/digit-judge-wasm';
import { IBAN_LENGTHS } from './validators';

/*
 * The first judge of every digit span, and the IBAN check, run in WebAssembly (the source, and the
 * reasons for each rule: lambda/wasm/digit-judge.ts). A pass loads a window's text once, writes
 * the digit spans it finds into `spans`, and judges them all in one call: one crossing into
 * WebAssembly per window, not one per span.
 */

/** The parts of the WebAssembly API used here: ES2023's lib does not declare it, and the DOM's is not for a Lambda. */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: object };
}

type Verdict = 'NOTHING' | 'CARD' | 'SSN' | 'PHONE_PARENTHESISED' | 'PHONE_E164' | 'ROUTING' | 'GROUPS';

type DigitJudgeExports = {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  dataEnd(): number;
  judgeSpans(text: number, spans: number, count: number): number;
  ibanValid(lengths: number, text: number, start: number, end: number): number;
} & { readonly [verdict in Verdict]: { readonly value: number } };

const PAGE_BYTES = 64 * 1024;
const LETTERS = 26;
/** A span holds at least nine digits, so a text of n chars holds fewer than n / 9 + 1 spans. */
const MIN_SPAN_CHARS = 9;
/** Each span is a (start, end, verdict) triple. */
export const SPAN_INTS = 3;

/** Instantiated once per process, synchronously: a module of a few KiB compiles at once. */
const { Module, Instance } = (globalThis as unknown as { readonly WebAssembly: WebAssemblyApi }).WebAssembly;
const wasm = new Instance(new Module(Buffer.from(DIGIT_JUDGE_WASM, 'base64'))).exports as DigitJudgeExports;

/** Grows the judge's memory to hold `bytes`. */
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

/** What the judge found in a span it kept (its codes are the module's exported globals). */
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
} as const;

/**
 * The judge's memory, reused window after window (the scan is synchronous per window, like the
 * module-level PATTERNS): `load` a text, write spans as (start, end, _) triples into `spans`,
 * then `judge`.
 */
class DigitJudge {
  private spansAt = 0;
  private textLength = 0;
  /** The spans as (start, end, verdict) triples of offsets into the loaded text. */
  spans = new Int32Array(0);

  /** Copies `text` (latin1: one char per byte) into the judge's memory; returns `spans`, sized for it. */
  load(text: string): Int32Array {
    this.textLength = text.length;
    this.spansAt = (TEXT_AT + text.length + 1 + 7) & ~7;
    const capacity = SPAN_INTS * (Math.floor(text.length / MIN_SPAN_CHARS) + 1);
    reserve(this.spansAt + capacity * Int32Array.BYTES_PER_ELEMENT);
    const { memory } = wasm;
    const bytes = Buffer.from(memory.buffer);
    bytes.write(text, TEXT_AT, 'latin1');
    bytes[TEXT_AT + text.length] = 0;
    this.spans = new Int32Array(memory.buffer, this.spansAt, capacity);
    return this.spans;
  }

  /**
   * Judges the first `count` spans: afterwards `spans` starts with the triples of those that
   * may hold PII, in order, each with its verdict. Returns how many there are.
   */
  judge(count: number): number {
    if (count * SPAN_INTS > this.spans.length)
      throw new RangeError(`${count} spans do not fit a text of ${this.textLength} chars`);
    return wasm.judgeSpans(TEXT_AT, this.spansAt, count);
  }

  /** Whether the loaded text's [start, end), a `candidates` match starting with a capital, is an IBAN. */
  ibanValid(start: number, end: number): boolean {
    return wasm.ibanValid(LENGTHS_AT, TEXT_AT, start, end) === 1;
  }
}

export const digitJudge = new DigitJudge();

/**
 * The verdict on the span text[start, end) (a `candidates` match starting with a digit), or
 * undefined when it holds nothing to report. One span at a time, for `classifySpan` and tests: it replaces
 * the loaded text, so not during a pass.
 */
export function judgeSpan(text: string, start: number, end: number): number | undefined {
  const spans = digitJudge.load(text);
  spans[0] = start;
  spans[1] = end;
  return digitJudge.judge(1) === 1 ? spans[2] : undefined;
}
