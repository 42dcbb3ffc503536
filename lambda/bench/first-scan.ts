import { createReadStream } from 'node:fs';
import { PATTERNS } from '../src/pii/patterns';
import { scanStream } from '../src/pii/stream';

/**
 * The bench's cold-start child: bundled like a Lambda handler and run by plain `node`, it scans
 * one file once and prints the first scan's CPU and wall time and the whole process's CPU time
 * (node start-up and loading the bundle included) as JSON.
 *
 * `--floor read` and `--floor regex` measure what bounds the cold figure instead of scanning: the
 * same file read and decoded the way the scanner does (1 MiB reads, latin1 windows of 120 KiB),
 * then, for `regex`, `PATTERNS.candidates` run over every window without judging any match.
 */

/** The scanner's window size (stream.ts WINDOW_BYTES). */
const WINDOW_BYTES = 120 * 1024;

type Mode = 'scan' | 'read' | 'regex';

async function floor(path: string, mode: Exclude<Mode, 'scan'>): Promise<{ bytes: number; matches: number }> {
  let bytes = 0;
  let matches = 0;
  const re = PATTERNS.candidates;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    const buffer = chunk as Buffer;
    bytes += buffer.length;
    for (let offset = 0; offset < buffer.length; offset += WINDOW_BYTES) {
      const text = buffer.toString('latin1', offset, Math.min(buffer.length, offset + WINDOW_BYTES));
      if (mode === 'read') continue;
      re.lastIndex = 0;
      while (re.exec(text) !== null) matches++;
    }
  }
  return { bytes, matches };
}

async function main(): Promise<void> {
  const [first, second, third] = process.argv.slice(2);
  const mode: Mode = first === '--floor' ? (second === 'read' ? 'read' : 'regex') : 'scan';
  const path = mode === 'scan' ? first : third;
  if (path === undefined) throw new Error('usage: node first-scan.js [--floor read|regex] <file>');
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const outcome =
    mode === 'scan'
      ? await scanStream({ source: createReadStream(path, { highWaterMark: 1024 * 1024 }) }).then((r) => ({
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
