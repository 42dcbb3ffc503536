/** What the scanner reports. Nothing here ever holds a raw matched value. */

export const PII_TYPES = [
  'payment-card',
  'us-ssn',
  'iban',
  'aba-routing',
  'email',
  'phone',
  'aws-access-key-id',
] as const;
export type PiiType = (typeof PII_TYPES)[number];

/** One occurrence: where it is and a masked form safe for logs, audit and API responses. */
export interface Finding {
  readonly type: PiiType;
  /** Byte offset in the decoded (decompressed) content. */
  readonly offset: number;
  /** Length in bytes of the matched text. */
  readonly length: number;
  /** e.g. `************1111`; never reveals more than the last four significant characters. */
  readonly masked: string;
}

export interface TypeSummary {
  readonly type: PiiType;
  /** Exact number of occurrences, even when `findings` was capped. */
  readonly count: number;
  /** The first occurrences, up to the scanner's `maxFindingsPerType`. */
  readonly findings: readonly Finding[];
}

/**
 * - `complete`: every byte was scanned.
 * - `partial`: the time budget or byte limit ran out; `scannedBytes` says how far it got.
 * - `unsupported`: binary or an encoding the detectors cannot read; nothing meaningful was scanned.
 * - `failed`: the stream or the decompressor failed part-way.
 */
export type ScanStatus = 'complete' | 'partial' | 'unsupported' | 'failed';

/**
 * Fail closed: `clean` only for a complete scan that found nothing. Anything found,
 * even in a partial scan, is `pii`; otherwise an unfinished scan is `incomplete`.
 */
export type PiiVerdict = 'pii' | 'clean' | 'incomplete';

export interface ScanResult {
  readonly status: ScanStatus;
  readonly verdict: PiiVerdict;
  /** Why the scan is not complete (time budget, binary format, decode error…). */
  readonly reason?: string;
  /** Detected content: `text`, `gzip+text`, or the binary format's name. */
  readonly contentKind: string;
  /** Raw bytes consumed from the source (compressed bytes for gzip). */
  readonly bytesRead: number;
  /** Decoded bytes fully scanned: every finding starting before this offset has been reported. */
  readonly scannedBytes: number;
  readonly totalFindings: number;
  readonly types: readonly TypeSummary[];
  readonly elapsedMs: number;
}
