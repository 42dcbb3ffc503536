import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NAG_REPORT_FILE } from '../src/nag/packs';
import { GRANULAR_RULES, MIN_REASON_LENGTH } from '../src/nag/suppressions';
import { renderSuppressionsMarkdown } from '../src/nag/suppressions-doc';
import { COMPLIANCE_SPECS } from './compliance-specs';
import { synthesizeApp } from './fixtures';

/**
 * The compliance bar (SPEC section 5): AwsSolutions, PCI DSS 3.2.1, NIST
 * 800-53 r5 and the project's Sep pack report zero unsuppressed errors and warnings for the default
 * spec, prod with every feature and every feature off. One app, three stages.
 */
const fixture = synthesizeApp(
  COMPLIANCE_SPECS.map((entry) => entry.input),
  { nag: true, environmentAgnostic: COMPLIANCE_SPECS.map((entry) => entry.environmentAgnostic === true) },
);
const reports = COMPLIANCE_SPECS.map((entry, index) => {
  const stage = fixture.stages[index];
  if (stage === undefined) throw new Error(`no stage for ${entry.name}`);
  return { name: entry.name, stage, report: stage.nagReport() };
});

describe.each(reports)('cdk-nag on the $name spec', ({ stage, report }) => {
  it('runs all four packs', () => {
    expect(report.packs.map((pack) => pack.pack)).toEqual([
      'AwsSolutions',
      'PCI.DSS.321',
      'NIST.800.53.R5',
      'Sep',
    ]);
    for (const pack of report.packs) {
      expect(pack.rulesChecked).toBeGreaterThan(0);
      expect(pack.passed).toBeGreaterThan(0);
    }
  });

  it('checks every policy with the Sep pack (no wildcard action, no Allow + NotAction; sep-pack.ts)', () => {
    const sep = report.packs.find((pack) => pack.pack === 'Sep');
    expect(sep?.rulesChecked).toBe(2);
    // IAM, managed, key, bucket, topic, queue, endpoint and API policies: dozens of (rule, resource) checks.
    expect(sep?.checksPassed).toBeGreaterThan(20);
    for (const entry of sep?.suppressed ?? []) {
      expect(entry.findingId).toMatch(/^Action::s3:(DeleteObject|GetBucket|List)\*$/);
      expect(entry.resource).toMatch(/\/Storage\/\w+Bucket\/Policy\/Resource$/);
    }
  });

  it('has zero unsuppressed errors and warnings', () => {
    const findings = report.packs.flatMap((pack) =>
      [...pack.errors, ...pack.warnings].map((f) => `${f.ruleId} ${f.resource} ${f.findingId ?? ''}`),
    );
    expect(findings).toEqual([]);
  });

  it('gives every suppression a reason, and granular rules a specific finding', () => {
    for (const entry of report.packs.flatMap((pack) => pack.suppressed)) {
      expect(entry.reason.length).toBeGreaterThanOrEqual(MIN_REASON_LENGTH);
      if ((GRANULAR_RULES as readonly string[]).includes(entry.ruleId)) {
        expect(entry.findingId).toMatch(/^(Action|Resource|Policy)::/);
      }
    }
  });

  it('writes nag-report.json next to the stage templates', () => {
    const file = join(stage.outdir, NAG_REPORT_FILE);
    expect(existsSync(file)).toBe(true);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written).toMatchObject({ stage: stage.stageName, totals: { errors: 0, warnings: 0 } });
    expect(written.packs).toHaveLength(4);
    expect(Object.keys(written.packs[0]).sort()).toEqual(
      ['checksPassed', 'errors', 'pack', 'passed', 'rulesChecked', 'suppressed', 'warnings'].sort(),
    );
  });
});

describe('SUPPRESSIONS.md', () => {
  it('is current (regenerate with `npm run docs -w @sep/infra`)', () => {
    const expected = renderSuppressionsMarkdown(reports.map(({ name, report }) => ({ name, report })));
    const actual = readFileSync(join(__dirname, '..', 'SUPPRESSIONS.md'), 'utf8');
    expect(actual).toBe(expected);
  });
});
