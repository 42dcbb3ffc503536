import { LOOKAHEAD_CHARS, LOOKBEHIND_CHARS, type Match, PASSES, type Pass } from './detectors';
import { type Finding, PII_TYPES, type PiiType, type TypeSummary } from './types';

export interface PiiScannerOptions {
  /**
   * Occurrences kept per type (the count stays exact beyond it), so memory stays flat.
   * @default 100
   */
  readonly maxFindingsPerType?: number;
}

/**
 * The incremental core: feed latin1 text or raw bytes in any chunking, get every match
 * exactly once.
 *
 * Each window is `carry + chunk`, kept as bytes in one reused buffer and decoded once into a
 * flat string (concatenating strings made a cons string that irregexp had to flatten, and
 * slicing off the carry copied it again). A pass reports only matches anchored in
 * [resume, length - LOOKAHEAD_CHARS) — far enough from the end that no match or its
 * right-hand context can be cut — and remembers where to resume. The carry keeps the
 * unreported tail plus LOOKBEHIND_CHARS of left context, so each anchor is judged on the same
 * text whatever the chunk boundaries are.
 */
export class PiiScanner {
  private readonly maxFindingsPerType: number;
  /** Window bytes: [0, carryLength) is the carry; the buffer grows to the largest window seen. */
  private window: Buffer = Buffer.allocUnsafe(0);
  private carryLength = 0;
  private carryBase = 0;
  private readonly resume: number[] = PASSES.map(() => 0);
  private committed = 0;
  private readonly counts = new Map<PiiType, number>();
  private readonly findings = new Map<PiiType, Finding[]>();
  private total = 0;
  /** Offset of the window being scanned; `emit` is bound once, not per window. */
  private base = 0;
  private readonly emit = (match: Match) => this.record(this.base, match);

  constructor(options: PiiScannerOptions = {}) {
    this.maxFindingsPerType = options.maxFindingsPerType ?? 100;
  }

  /** Bytes of decoded input fully judged: every finding starting before it has been reported. */
  get scannedBytes(): number {
    return this.committed;
  }

  get totalFindings(): number {
    return this.total;
  }

  /** Adds text decoded as latin1 (one char per byte). */
  push(chunk: string): void {
    this.pushBytes(Buffer.from(chunk, 'latin1'));
  }

  /** Adds raw bytes (each byte is one latin1 character). */
  pushBytes(chunk: Uint8Array): void {
    const length = this.carryLength + chunk.length;
    if (length > this.window.length) {
      const grown = Buffer.allocUnsafe(Math.max(length, 2 * this.window.length));
      this.window.copy(grown, 0, 0, this.carryLength);
      this.window = grown;
    }
    this.window.set(chunk, this.carryLength);
    const limit = length - LOOKAHEAD_CHARS;
    if (limit <= LOOKBEHIND_CHARS || this.carryBase + limit <= this.committed) {
      this.carryLength = length;
      return;
    }
    this.scanWindow(length, limit);
    const keepFrom = limit - LOOKBEHIND_CHARS;
    this.window.copyWithin(0, keepFrom, length);
    this.carryLength = length - keepFrom;
    this.carryBase += keepFrom;
  }

  /** Scans what is left; call once at the end of the input. */
  finish(): void {
    this.scanWindow(this.carryLength, this.carryLength);
    this.carryBase += this.carryLength;
    this.carryLength = 0;
  }

  summaries(): TypeSummary[] {
    return PII_TYPES.filter((type) => (this.counts.get(type) ?? 0) > 0).map((type) => ({
      type,
      count: this.counts.get(type) ?? 0,
      findings: this.findings.get(type) ?? [],
    }));
  }

  private scanWindow(length: number, limit: number): void {
    const base = this.carryBase;
    this.base = base;
    const text = this.window.toString('latin1', 0, length);
    for (let index = 0; index < PASSES.length; index++) {
      const pass = PASSES[index] as Pass;
      const from = Math.max(0, (this.resume[index] ?? 0) - base);
      this.resume[index] = base + pass.run(text, from, limit, this.emit);
    }
    this.committed = base + limit;
  }

  private record(base: number, match: Match): void {
    this.total++;
    this.counts.set(match.type, (this.counts.get(match.type) ?? 0) + 1);
    let list = this.findings.get(match.type);
    if (list === undefined) {
      list = [];
      this.findings.set(match.type, list);
    }
    if (list.length < this.maxFindingsPerType) {
      list.push({
        type: match.type,
        offset: base + match.start,
        length: match.end - match.start,
        masked: match.masked,
      });
    }
  }
}

/** Scans a whole string (request bodies): same detectors, one window. */
export function scanText(
  text: string,
  options: PiiScannerOptions = {},
): { total: number; types: TypeSummary[] } {
  const scanner = new PiiScanner(options);
  scanner.pushBytes(Buffer.from(text, 'utf8'));
  scanner.finish();
  return { total: scanner.totalFindings, types: scanner.summaries() };
}
