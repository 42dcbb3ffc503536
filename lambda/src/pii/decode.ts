import { createGunzip, type Gunzip } from 'node:zlib';
import { GZIP_MAGIC, type Utf16Encoding } from './content';

/**
 * The decoding layers in front of the detectors: gzip (every member, padding accounted for) and
 * UTF-16 (to UTF-8, which the ASCII detectors read like any other UTF-8 text).
 */

export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** An input that can hand back the bytes a decoder did not take, and knows where it is. */
class PushbackInput {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pushedBack: Buffer | undefined;
  /** Offset in the input of the next byte `next` returns. */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The next non-empty chunk, or undefined at the end. */
  async next(): Promise<Buffer | undefined> {
    let chunk = this.pushedBack;
    this.pushedBack = undefined;
    while (chunk === undefined || chunk.length === 0) {
      const result = await this.iterator.next();
      if (result.done) return undefined;
      chunk = asBuffer(result.value);
    }
    this.position += chunk.length;
    return chunk;
  }

  unshift(chunk: Buffer): void {
    this.pushedBack = chunk;
    this.position -= chunk.length;
  }

  release(): void {
    // Not awaited: a source stuck in a read would never let return() settle.
    Promise.resolve(this.iterator.return?.()).catch(() => undefined);
  }
}

/** Writes one chunk and waits until zlib has taken what it will of it. */
function written(inflater: Gunzip, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const closed = () => reject(new Error('decompressor closed'));
    inflater.once('close', closed);
    inflater.write(chunk, (error) => {
      inflater.off('close', closed);
      if (error) reject(error);
      else resolve();
    });
  });
}

/**
 * One run of Node's gunzip from `first` on. It follows members that are back to back and checks
 * each one's CRC and length, but stops silently at a NUL byte after a member (padding) and
 * ignores the rest of its input: whatever it did not take is handed back to `input`.
 */
async function* gunzipRun(input: PushbackInput, first: Buffer): AsyncGenerator<Buffer> {
  const inflater = createGunzip();
  const feeding = (async () => {
    try {
      let fed = 0;
      for (let chunk: Buffer | undefined = first; chunk !== undefined; chunk = await input.next()) {
        await written(inflater, chunk);
        fed += chunk.length;
        const untaken = fed - inflater.bytesWritten;
        if (untaken > 0) {
          input.unshift(chunk.subarray(chunk.length - untaken));
          break;
        }
      }
      inflater.end();
    } catch (error) {
      inflater.destroy(error as Error);
    }
  })();
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
  } finally {
    inflater.destroy();
  }
  // The output can end before the feeder has handed back what zlib did not take.
  await feeding;
}

/**
 * Decompresses all of a gzip stream: every member, with NUL padding between or after members
 * skipped (tape and block-device writers pad). Any other byte that is not part of a member —
 * trailing text, a truncated or corrupt member — throws, so the scan can never call such input
 * clean: every input byte is decoded, or is padding before the next member or the end.
 */
export async function* gunzipMembers(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const input = new PushbackInput(source);
  try {
    for (let chunk = await input.next(); chunk !== undefined; chunk = await input.next()) {
      let member = 0;
      while (member < chunk.length && chunk[member] === 0) member++;
      if (member === chunk.length) continue;
      let start = chunk.subarray(member);
      while (start.length < GZIP_MAGIC.length) {
        const more = await input.next();
        if (more === undefined) break;
        start = Buffer.concat([start, more]);
      }
      if (start[0] !== GZIP_MAGIC[0] || start[1] !== GZIP_MAGIC[1]) {
        const offset = input.position - start.length;
        throw new Error(
          `the bytes at offset ${offset} after the gzip data are neither a gzip member nor NUL padding`,
        );
      }
      yield* gunzipRun(input, start);
    }
  } finally {
    input.release();
  }
}

/** Decodes UTF-16 to UTF-8 as it streams (a byte order mark is dropped; unpaired surrogates become U+FFFD). */
export async function* utf16ToUtf8(
  source: AsyncIterable<Uint8Array>,
  encoding: Utf16Encoding,
): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of source) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield Buffer.from(text, 'utf8');
  }
  const last = decoder.decode();
  if (last.length > 0) yield Buffer.from(last, 'utf8');
}
