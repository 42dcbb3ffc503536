/**
 * Parallel ranged reads delivered in order. One S3 connection gives ~50–90 MB/s while the
 * scanner takes several hundred, so several ranges are fetched at once; they are handed
 * to the scanner in order, so its carry handles boundaries and no byte is scanned twice
 * (ranges therefore need no overlap). Memory is bounded by `concurrency × partSize`.
 */

/** Fetches bytes [start, end] inclusive, like an HTTP `Range: bytes=start-end`. */
export type ByteRangeFetcher = (range: {
  readonly start: number;
  readonly end: number;
}) => Promise<Uint8Array>;

export interface OrderedRangeStreamOptions {
  /** Total size of the object in bytes. */
  readonly size: number;
  readonly fetchRange: ByteRangeFetcher;
  /**
   * Bytes per ranged request.
   * @default 8 MiB
   */
  readonly partSize?: number;
  /**
   * Requests in flight.
   * @default 4
   */
  readonly concurrency?: number;
}

export async function* orderedRangeStream(options: OrderedRangeStreamOptions): AsyncGenerator<Uint8Array> {
  const partSize = options.partSize ?? 8 * 1024 * 1024;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const parts = Math.ceil(options.size / partSize);
  const inFlight: { readonly expected: number; readonly bytes: Promise<Uint8Array> }[] = [];
  let nextPart = 0;
  const launch = () => {
    const start = nextPart * partSize;
    const end = Math.min(options.size, start + partSize) - 1;
    const bytes = options.fetchRange({ start, end });
    // A rejection is surfaced when its turn comes; avoid an unhandled-rejection crash before that.
    bytes.catch(() => undefined);
    inFlight.push({ expected: end - start + 1, bytes });
    nextPart++;
  };
  while (nextPart < parts && inFlight.length < concurrency) launch();
  for (let head = inFlight.shift(); head !== undefined; head = inFlight.shift()) {
    const part = await head.bytes;
    if (nextPart < parts) launch();
    if (part.byteLength !== head.expected) {
      throw new Error(`ranged read returned ${part.byteLength} bytes, expected ${head.expected}`);
    }
    yield part;
  }
}

/**
 * Yields `source`, throwing when it delivers fewer or more bytes than `expected`: a body that
 * ends early without an error (a closed connection) must not pass for the whole object. The
 * ranged path checks each range the same way.
 */
export async function* exactLength(
  source: AsyncIterable<Uint8Array>,
  expected: number,
): AsyncGenerator<Uint8Array> {
  let received = 0;
  for await (const chunk of source) {
    received += chunk.byteLength;
    if (received > expected) throw new Error(`body is longer than the object's ${expected} bytes`);
    yield chunk;
  }
  if (received !== expected) throw new Error(`body ended after ${received} of ${expected} bytes`);
}
