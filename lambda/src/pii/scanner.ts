import { LOOKAHEAD_CHARS, LOOKBEHIND_CHARS, type Match, PASSES } from './detectors';
import { type Finding, PII_TYPES, type PiiType, type TypeSummary } from './types';

export interface PiiScannerOptions {
  /**
   * Occurrences kept per type (the count stays exact beyond it), so memory stays flat.
   * @default 100
   */
  readonly maxFindingsPerType?: number;
}

/**
 * The incremental core: feed decoded text in any chunking, get every match exactly once.
 *
 * Each window is `carry + chunk`. A pass reports only matches anchored in
 * [resume, length - LOOKAHEAD_CHARS) — far enough from the end that no match or its
 * right-hand context can be cut — and remembers where to resume. The carry keeps the
 * unreported tail plus LOOKBEHIND_CHARS of left context, so each anchor is judged on the
 * same text whatever the chunk boundaries are.
 */
export class PiiScanner {
  private readonly maxFindingsPerType: number;
  private carry = '';
  private carryBase = 0;
  private readonly resume: number[] = PASSES.map(() => 0);
  private committed = 0;
  private readonly counts = new Map<PiiType, number>();
  private readonly findings = new Map<PiiType, Finding[]>();
  private total = 0;

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
    const text = this.carry.length === 0 ? chunk : this.carry + chunk;
    const limit = text.length - LOOKAHEAD_CHARS;
    if (limit <= LOOKBEHIND_CHARS || this.carryBase + limit <= this.committed) {
      this.carry = text;
      return;
    }
    this.scanWindow(text, limit);
    const keepFrom = limit - LOOKBEHIND_CHARS;
    this.carry = text.slice(keepFrom);
    this.carryBase += keepFrom;
  }

  /** Scans what is left; call once at the end of the input. */
  finish(): void {
    this.scanWindow(this.carry, this.carry.length);
    this.carryBase += this.carry.length;
    this.carry = '';
  }

  summaries(): TypeSummary[] {
    return PII_TYPES.filter((type) => (this.counts.get(type) ?? 0) > 0).map((type) => ({
      type,
      count: this.counts.get(type) ?? 0,
      findings: this.findings.get(type) ?? [],
    }));
  }

  private scanWindow(text: string, limit: number): void {
    const base = this.carryBase;
    const emit = (match: Match) => this.record(base, match);
    PASSES.forEach((pass, index) => {
      const from = Math.max(0, (this.resume[index] ?? 0) - base);
      this.resume[index] = base + pass.run(text, from, limit, emit);
    });
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
  scanner.push(Buffer.from(text, 'utf8').toString('latin1'));
  scanner.finish();
  return { total: scanner.totalFindings, types: scanner.summaries() };
}
