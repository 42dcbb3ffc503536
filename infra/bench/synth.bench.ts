import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { synthesizeStage } from '../src/synth';
import { COMPLIANCE_SPECS } from '../test/compliance-specs';
import { DEFAULT_SPEC_INPUT, spec } from '../test/fixtures';

// `npm run bench -w @sep/infra`: synth wall time, resource count and cdk-nag totals of one stage per spec,
// each in a fresh App (what the portal's local platform and the pipeline synth pay per environment).
// Warm-up: module loading and JIT would otherwise be charged to the first spec.
synthesizeStage({
  spec: spec(DEFAULT_SPEC_INPUT),
  outdir: mkdtempSync(join(tmpdir(), 'sep-bench-')),
  nag: false,
});
const rows: Record<string, string | number>[] = [];
for (const { name, input } of COMPLIANCE_SPECS) {
  const outdir = mkdtempSync(join(tmpdir(), 'sep-bench-'));
  const started = performance.now();
  const result = synthesizeStage({ spec: spec(input), outdir });
  const ms = performance.now() - started;
  const withoutNagStarted = performance.now();
  synthesizeStage({ spec: spec(input), outdir: mkdtempSync(join(tmpdir(), 'sep-bench-')), nag: false });
  const msWithoutNag = performance.now() - withoutNagStarted;
  const t = result.report.totals;
  rows.push({
    spec: name,
    'synth+nag ms': Math.round(ms),
    'synth ms (no nag)': Math.round(msWithoutNag),
    resources: result.resourceCount,
    'nag rules': t.rulesChecked,
    passed: t.passed,
    suppressed: t.suppressed,
    errors: t.errors,
    warnings: t.warnings,
  });
  rmSync(outdir, { recursive: true, force: true });
}
console.table(rows);
console.log(`peak RSS ${Math.round(process.memoryUsage().rss / 1024 / 1024)} MB`);
