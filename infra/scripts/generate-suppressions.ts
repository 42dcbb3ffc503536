import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSuppressionsMarkdown } from '../src/nag/suppressions-doc';
import { COMPLIANCE_SPECS } from '../test/compliance-specs';
import { synthesizeApp } from '../test/fixtures';

// Writes infra/SUPPRESSIONS.md from the nag reports of the compliance specs.
const fixture = synthesizeApp(
  COMPLIANCE_SPECS.map((entry) => entry.input),
  { nag: true, environmentAgnostic: COMPLIANCE_SPECS.map((entry) => entry.environmentAgnostic === true) },
);
const markdown = renderSuppressionsMarkdown(
  COMPLIANCE_SPECS.map((entry, index) => {
    const stage = fixture.stages[index];
    if (stage === undefined) throw new Error(`no stage for ${entry.name}`);
    return { name: entry.name, report: stage.nagReport() };
  }),
);
const target = join(__dirname, '..', 'SUPPRESSIONS.md');
writeFileSync(target, markdown);
console.log(`wrote ${target}`);
