import { type Sniffed, sniff } from './content';
import { asBuffer, gunzipMembers, utf16ToUtf8 } from './decode';
import { PiiScanner } from './scanner';
import type { PiiVerdict, ScanResult, ScanStatus } from './types';

export interface ScanStreamOptions {
  /** The raw bytes, e.g. an S3 GetObject body or `orderedRangeStream`. */
  readonly source: AsyncIterable<Uint8Array>;
  /**
   * Epoch milliseconds by which the scan must have stopped (the Lambda's remaining time minus
   * what the caller needs afterwards). Checked between chunks and while waiting for data.
   * @default no deadline
   */
  readonly deadline?: number;
  /**
   * Stop after this many decoded bytes (bounds decompression bombs).
   * @default no limit
   */
  readonly maxDecodedBytes?: number;
  /**
   * Occurrences kept per type.
   * @default 100
   */
  readonly maxFindingsPerType?: number;
  /**
   * Clock, for tests.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** Bytes the content sniffer looks at. */
const SNIFF_BYTES = 4096;

class Stop extends Error {
  constructor(
    readonly status: ScanStatus,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Yields `source`, counting bytes and stopping at the deadline: checked before each read (a fast
 * source or a long run of gzip padding never waits) and raced against each read (a stalled one).
 */
async function* guarded(
  source: AsyncIterable<Uint8Array>,
  state: { bytesRead: number },
  deadline: number | undefined,
  now: () => number,
): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    while (true) {
      if (deadline !== undefined && now() >= deadline) throw new Stop('partial', 'time budget exhausted');
      const next = iterator.next();
      let timer: NodeJS.Timeout | undefined;
      let result: IteratorResult<Uint8Array> | 'timeout';
      try {
        result =
          deadline === undefined
            ? await next
            : await Promise.race([
                next,
                new Promise<'timeout'>((resolve) => {
                  timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - now()));
                }),
              ]);
      } finally {
        // Also when the read fails: an armed timer would keep the process alive until the deadline.
        clearTimeout(timer);
      }
      if (result === 'timeout') {
        next.catch(() => undefined);
        throw new Stop('partial', 'time budget exhausted while waiting for data');
      }
      if (result.done) return;
      state.bytesRead += result.value.byteLength;
      yield result.value;
    }
  } finally {
    // Not awaited: a source stuck in a read would never let return() settle.
    Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

/**
 * Reads up to `n` leading bytes for sniffing and replays them in front of the rest. A read
 * that fails is rethrown after the bytes before it, so they are still scanned.
 */
async function peek(
  source: AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Buffer; rest: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let size = 0;
  let done = false;
  let failure: { readonly error: unknown } | undefined;
  try {
    while (size < n) {
      const r = await iterator.next();
      if (r.done) {
        done = true;
        break;
      }
      const part = asBuffer(r.value);
      parts.push(part);
      size += part.length;
    }
  } catch (error) {
    failure = { error };
  }
  const head = Buffer.concat(parts);
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (failure !== undefined) throw failure.error;
    if (done) return;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value;
  }
  return { head, rest: rest() };
}

/**
 * Streams `source` through the detectors with flat memory: sniff → decoding layers (gzip, every
 * member; UTF-16 → UTF-8) → PiiScanner, whose windows are decoded as latin1. Never reports
 * `clean` unless every byte was decoded and scanned; whatever stops a scan early (the deadline, a
 * read or decode error, a NUL byte), what was read before it is scanned and reported.
 */
export async function scanStream(options: ScanStreamOptions): Promise<ScanResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const state = { bytesRead: 0 };
  const scanner = new PiiScanner({ maxFindingsPerType: options.maxFindingsPerType });
  /** Decoding layers found by sniffing, outermost first (`gzip`, `utf-16le`…). */
  const layers: string[] = [];
  let content = 'text';
  let status: ScanStatus = 'complete';
  let reason: string | undefined;
  /** Bytes handed to the scanner (decoded content). */
  let decoded = 0;
  /** Hands `bytes` to the scanner up to its first NUL byte; a NUL stops the scan. */
  const scanUpToNul = (bytes: Buffer): void => {
    const nul = bytes.indexOf(0);
    scanner.pushBytes(nul === -1 ? bytes : bytes.subarray(0, nul));
    if (nul !== -1) {
      throw new Stop('unsupported', `NUL byte at offset ${decoded + nul} of the decoded content: binary`);
    }
    decoded += bytes.length;
  };
  try {
    let source: AsyncIterable<Uint8Array> = guarded(options.source, state, options.deadline, now);
    while (true) {
      const peeked = await peek(source, SNIFF_BYTES);
      source = peeked.rest;
      // The first read may be far larger than the sniffed head (a 1 MiB file read).
      const sniffed: Sniffed = sniff(peeked.head.subarray(0, SNIFF_BYTES));
      if (sniffed.kind === 'text') break;
      if (sniffed.kind === 'gzip' && layers.length === 0) {
        layers.push('gzip');
        source = gunzipMembers(source);
      } else if (sniffed.kind === 'utf-16' && !layers.some((layer) => layer.startsWith('utf-16'))) {
        layers.push(sniffed.encoding);
        source = utf16ToUtf8(source, sniffed.encoding);
      } else {
        content = sniffed.kind === 'unsupported' ? sniffed.format : `nested ${sniffed.kind}`;
        throw new Stop('unsupported', `content is ${content}, which the text detectors cannot read`);
      }
    }
    for await (const chunk of source) {
      const buffer = asBuffer(chunk);
      if (options.maxDecodedBytes !== undefined && decoded + buffer.length > options.maxDecodedBytes) {
        throw new Stop('partial', `decoded size exceeds the ${options.maxDecodedBytes}-byte limit`);
      }
      scanUpToNul(buffer);
    }
  } catch (error) {
    if (error instanceof Stop) {
      status = error.status;
      reason = error.reason;
    } else {
      status = 'failed';
      reason = `read or decode failed: ${(error as Error).message}`;
    }
  }
  // Whatever stopped the scan, what was read before it is scanned: found PII is never dropped.
  scanner.finish();
  const total = scanner.totalFindings;
  const verdict: PiiVerdict = total > 0 ? 'pii' : status === 'complete' ? 'clean' : 'incomplete';
  return {
    status,
    verdict,
    ...(reason === undefined ? {} : { reason }),
    contentKind: [...layers, content].join('+'),
    bytesRead: state.bytesRead,
    scannedBytes: scanner.scannedBytes,
    totalFindings: total,
    types: scanner.summaries(),
    elapsedMs: now() - started,
  };
}
