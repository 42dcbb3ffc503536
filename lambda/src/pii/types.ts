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
  /** Byte offset in the decoded content (decompressed; UTF-16 as UTF-8). */
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
 * - `complete`: every input byte was decoded and scanned (gzip NUL padding between or after
 *   members is the only thing skipped, and only when every later member was scanned).
 * - `partial`: the time budget or the decoded-size limit ran out; what was read is scanned and
 *   `scannedBytes` says how far that got.
 * - `unsupported`: binary or an encoding the detectors cannot read. Sniffed from the first
 *   4 KiB, nothing is scanned; a NUL byte later in the text stops the scan there, after
 *   scanning what came before it.
 * - `failed`: a read or decode error part-way (what was read before it is scanned): the stream
 *   or the decompressor failed, the body was shorter or longer than the object, or compressed
 *   input held bytes that are neither a gzip member nor padding.
 */
export type ScanStatus = 'complete' | 'partial' | 'unsupported' | 'failed';

/**
 * Fail closed: `clean` only for a complete scan that found nothing. Anything found is `pii`,
 * even in a scan that stopped early (its `status` and `reason` say so); otherwise an unfinished
 * scan is `incomplete`.
 */
export type PiiVerdict = 'pii' | 'clean' | 'incomplete';

export interface ScanResult {
  readonly status: ScanStatus;
  readonly verdict: PiiVerdict;
  /** Why the scan is not complete (time budget, binary format, decode error, short read…). */
  readonly reason?: string;
  /**
   * The decoding layers and the content, joined by `+`: `text`, `gzip+text`, `utf-16le+text`,
   * `gzip+utf-16be+text`, or an unsupported format's name last (`pdf`, `gzip+binary`).
   */
  readonly contentKind: string;
  /** Raw bytes consumed from the source (compressed bytes for gzip). */
  readonly bytesRead: number;
  /** Decoded bytes fully scanned: every finding starting before this offset has been reported. */
  readonly scannedBytes: number;
  readonly totalFindings: number;
  readonly types: readonly TypeSummary[];
  readonly elapsedMs: number;
}
