// Synth wall time and peak memory of the pipeline app with 1, 10 and 50
// registered environments: one child process per run (`node --import tsx
// bin/app.ts`, as `cdk synth` runs it), measured by GNU time (wall seconds,
// max RSS). Prints a table, the marginal seconds per environment and whether
// growth is linear.  Usage: npm run bench -w @sep/pipeline [-- --nag=false --runs=2]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseEnvironmentSpec } from '@sep/spec';
import { ENVIRONMENTS_FILE_VERSION, type EnvironmentsFile } from '../src/environments-file';

const { values } = parseArgs({
  options: {
    counts: { type: 'string', default: '1,10,50' },
    runs: { type: 'string', default: '1' },
    nag: { type: 'string', default: 'true' },
    // secure: the real app (bin/app.ts, SecureEnvironmentStage); small: the pipeline machinery alone.
    stages: { type: 'string', default: 'secure' },
  },
});
const counts = String(values.counts).split(',').map(Number);
const entry = values.stages === 'small' ? 'bench/small-app.ts' : 'bin/app.ts';
console.log(`pipeline synth bench: ${entry}, nag=${values.nag}, best of ${values.runs} run(s)`);
const runs = Number(values.runs);
const root = join(__dirname, '..');
const cdkJsonContext = (
  JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

function environmentsFile(count: number, directory: string): string {
  const environments = Array.from({ length: count }, (_, index) => {
    const parsed = parseEnvironmentSpec({
      environmentSuffix: `bench-${String(index + 1).padStart(3, '0')}`,
      kind: 'ephemeral',
      owner: 'bench@example.com',
      project: 'bench',
      costCenter: 'cc-bench',
    });
    if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
    const createdAt = new Date(Date.UTC(2026, 10, 1) + index * 60_000).toISOString();
    return {
      environmentSuffix: parsed.spec.environmentSuffix,
      spec: parsed.spec,
      status: 'ready',
      requestedBy: 'bench',
      createdAt,
      updatedAt: createdAt,
      version: 1,
    };
  });
  const file: EnvironmentsFile = {
    version: ENVIRONMENTS_FILE_VERSION,
    exportedAt: new Date().toISOString(),
    source: 'bench',
    environments,
    invalid: [],
  };
  const path = join(directory, `environments-${count}.json`);
  writeFileSync(path, JSON.stringify(file));
  return path;
}

interface Measurement {
  readonly count: number;
  readonly seconds: number;
  readonly peakMb: number;
  /** user + system CPU: less sensitive than wall time to other load on a shared machine. */
  readonly cpuSeconds: number;
}

function measure(count: number): Measurement {
  const directory = mkdtempSync(join(tmpdir(), 'sep-pipeline-bench-'));
  try {
    const file = environmentsFile(count, directory);
    const result = spawnSync(
      '/usr/bin/time',
      ['-f', 'BENCH %e %M %U %S', process.execPath, '--import', 'tsx', entry],
      {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...process.env,
          ENVIRONMENTS_FILE: file,
          CDK_OUTDIR: join(directory, 'cdk.out'),
          // What the CLI would pass: cdk.json's context, plus the nag switch.
          CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext, nag: String(values.nag) }),
        },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const line = /BENCH ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(result.stderr);
    if (result.status !== 0 || line === null) {
      throw new Error(
        `synth with ${count} environments failed (exit ${result.status}):\n${result.stderr.slice(-4000)}`,
      );
    }
    return {
      count,
      seconds: Number(line[1]),
      peakMb: Number(line[2]) / 1024,
      cpuSeconds: Number(line[3]) + Number(line[4]),
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

// Warm the file-system cache so the first size does not pay for it.
measure(0);
const results: Measurement[] = [];
for (const count of counts) {
  const samples = Array.from({ length: runs }, () => measure(count));
  // (the first sample of the first size also pays the cold start of tsx and aws-cdk-lib)
  const best = samples.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  results.push({ ...best, peakMb: Math.max(...samples.map((s) => s.peakMb)) });
  console.log(
    `${String(count).padStart(4)} environments: ${best.seconds.toFixed(2)} s wall, ${best.cpuSeconds.toFixed(2)} s CPU, peak RSS ${best.peakMb.toFixed(0)} MB`,
  );
}

const first = results[0];
const last = results.at(-1);
if (first !== undefined && last !== undefined && last.count > first.count) {
  const marginal = (last.seconds - first.seconds) / (last.count - first.count);
  console.log(
    `marginal: ${marginal.toFixed(3)} s per environment (target ≤ 1 s) — ${marginal <= 1 ? 'OK' : 'OVER TARGET'}`,
  );
  const marginalCpu = (last.cpuSeconds - first.cpuSeconds) / (last.count - first.count);
  console.log(`marginal CPU: ${marginalCpu.toFixed(3)} s per environment`);
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (wall time grows with other load on this shared 2-core machine)`,
  );
  console.log(
    `marginal memory: ${((last.peakMb - first.peakMb) / (last.count - first.count)).toFixed(1)} MB per environment`,
  );
  // Linearity is judged on CPU time: wall time on this shared machine swings with other load.
  const slopes = results.slice(1).map((r, i) => {
    const previous = results[i] as Measurement;
    return (r.cpuSeconds - previous.cpuSeconds) / (r.count - previous.count);
  });
  // Quadratic growth shows as a per-environment cost that rises with the count (50 ms of noise allowed).
  const rising = slopes.slice(1).some((slope, i) => slope > 2 * Math.max(slopes[i] ?? 0, 0) + 0.05);
  console.log(
    `CPU slopes between sizes: ${slopes.map((s) => s.toFixed(3)).join(', ')} s/env — ${rising ? 'NOT linear (cost per environment grows)' : 'linear (no rising cost per environment)'}`,
  );
}
