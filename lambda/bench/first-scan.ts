import { createReadStream } from 'node:fs';
import { scanStream } from '../src/pii/stream';

/**
 * The bench's cold-start child: bundled like a Lambda handler and run by plain `node`, it scans
 * one file once and prints the first scan's CPU and wall time and the whole process's CPU time
 * (node start-up and loading the bundle included) as JSON.
 */
async function main(): Promise<void> {
  const path = process.argv[2];
  if (path === undefined) throw new Error('usage: node first-scan.js <file>');
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = await scanStream({ source: createReadStream(path, { highWaterMark: 1024 * 1024 }) });
  const scan = process.cpuUsage(cpu);
  const whole = process.cpuUsage();
  process.stdout.write(
    JSON.stringify({
      bytes: result.bytesRead,
      status: result.status,
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
