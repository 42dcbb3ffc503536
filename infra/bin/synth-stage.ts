import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseEnvironmentSpec } from '../src/spec';
import { synthesizeStage } from '../src/synth';

// `npx tsx bin/synth-stage.ts --spec spec.json --out dir` (the portal's local platform).
const { values } = parseArgs({ options: { spec: { type: 'string' }, out: { type: 'string' } } });
if (values.spec === undefined || values.out === undefined) {
  console.error('usage: synth-stage --spec <spec.json> --out <dir>');
  process.exit(2);
}
let input: unknown;
try {
  input = JSON.parse(readFileSync(values.spec, 'utf8'));
} catch (error) {
  console.error(`cannot read ${values.spec}: ${(error as Error).message}`);
  process.exit(2);
}
const parsed = parseEnvironmentSpec(input);
if (!parsed.success) {
  console.error(JSON.stringify({ error: 'invalid spec', fields: parsed.errors }, null, 2));
  process.exit(2);
}
const result = synthesizeStage({ spec: parsed.spec, outdir: resolve(values.out) });
const findings = result.report.packs.flatMap((pack) => [...pack.errors, ...pack.warnings]);
console.log(
  JSON.stringify({
    stage: result.stage.stageName,
    stackName: result.stackName,
    templateFile: result.templateFile,
    stageDirectory: result.stageDirectory,
    nagReportFile: resolve(values.out, 'nag-report.json'),
    resourceCount: result.resourceCount,
    nagTotals: result.report.totals,
  }),
);
if (result.report.totals.errors > 0) {
  for (const finding of findings) {
    console.error(
      `${finding.ruleId} ${finding.resource}${finding.findingId ? ` [${finding.findingId}]` : ''}: ${finding.info}`,
    );
  }
  process.exit(1);
}
