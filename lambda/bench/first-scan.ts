import { closeSync, openSync, readSync } from 'node:fs';
import { candidateSearch } from '../src/pii/candidates';
import { WINDOW_BYTES } from '../src/pii/scanner';
import { scanStream } from '../src/pii/stream';

/**
 * The bench's cold-start child: bundled like a Lambda handler and run by plain `node`, it scans
 * one file once and prints the first scan's CPU and wall time and the whole process's CPU time
 * (node start-up and loading the bundle included) as JSON.
 *
 * `--floor read` and `--floor search` measure what bounds the cold figure instead of scanning: the
 * same file read and decoded the way the scanner does (`socketLike` reads copied into one reused window
 * buffer, decoded as latin1 120 KiB at a time), then, for `search`, the candidate search
 * (WebAssembly, `candidateSearch.scan` keeping every span) run over every window without judging a span.
 */

/** Bytes per read: what a socket hands over at most (TLS records are 16 KiB). */
const READ_BYTES = 64 * 1024;

/**
 * The file delivered the way a socket delivers an S3 body: read on the main thread, up to 64 KiB
 * at a time, each read into a fresh buffer. `fs.createReadStream` would add a round trip through
 * libuv's thread pool per read, which a socket does not make (measured: with 64 KiB reads it
 * cost more than the detectors on the 268 MB corpus), and its 1 MiB default reads are not what
 * a Lambda receives.
 */
async function* socketLike(path: string): AsyncGenerator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    while (true) {
      const chunk = Buffer.allocUnsafe(READ_BYTES);
      const read = readSync(fd, chunk, 0, READ_BYTES, null);
      if (read === 0) return;
      yield read === READ_BYTES ? chunk : chunk.subarray(0, read);
    }
  } finally {
    closeSync(fd);
  }
}

type Mode = 'scan' | 'read' | 'search';

async function floor(path: string, mode: Exclude<Mode, 'scan'>): Promise<{ bytes: number; matches: number }> {
  let bytes = 0;
  let matches = 0;
  const window = Buffer.allocUnsafe(WINDOW_BYTES);
  let filled = 0;
  const decode = (length: number) => {
    const text = window.toString('latin1', 0, length);
    if (mode === 'read') return;
    matches += candidateSearch.scan(text, 0, text.length, true).count;
  };
  for await (const buffer of socketLike(path)) {
    bytes += buffer.length;
    for (let offset = 0; offset < buffer.length; ) {
      const taken = Math.min(buffer.length - offset, WINDOW_BYTES - filled);
      window.set(buffer.subarray(offset, offset + taken), filled);
      filled += taken;
      offset += taken;
      if (filled === WINDOW_BYTES) {
        decode(filled);
        filled = 0;
      }
    }
  }
  if (filled > 0) decode(filled);
  return { bytes, matches };
}

async function main(): Promise<void> {
  const [first, second, third] = process.argv.slice(2);
  const mode: Mode = first === '--floor' ? (second === 'read' ? 'read' : 'search') : 'scan';
  const path = mode === 'scan' ? first : third;
  if (path === undefined) throw new Error('usage: node first-scan.js [--floor read|search] <file>');
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const outcome =
    mode === 'scan'
      ? await scanStream({ source: socketLike(path) }).then((r) => ({
          bytes: r.bytesRead,
          status: r.status,
        }))
      : await floor(path, mode).then((r) => ({ bytes: r.bytes, status: `${mode} floor` }));
  const scan = process.cpuUsage(cpu);
  const whole = process.cpuUsage();
  process.stdout.write(
    JSON.stringify({
      ...outcome,
      seconds: Number(process.hrtime.bigint() - start) / 1e9,
      cpuSeconds: (scan.user + scan.system) / 1e6,
      processCpuSeconds: (whole.user + whole.system) / 1e6,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
