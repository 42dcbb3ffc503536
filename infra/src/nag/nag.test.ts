import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { applyCompliancePacks } from './packs';
import { suppress, validateSuppression } from './suppressions';

describe('suppress()', () => {
  it('refuses a granular rule without the specific finding', () => {
    expect(() => validateSuppression({ ruleId: 'AwsSolutions-IAM5', reason: 'x'.repeat(40) }, 'p')).toThrow(
      /appliesTo naming the specific findings/,
    );
  });

  it('refuses a catch-all finding, an unknown pack and a short reason', () => {
    expect(() =>
      validateSuppression({ ruleId: 'AwsSolutions-IAM5', appliesTo: ['*'], reason: 'x'.repeat(40) }, 'p'),
    ).toThrow(/specific finding/);
    expect(() =>
      validateSuppression(
        { ruleId: 'AwsSolutions-IAM5', appliesTo: [{ regex: '/.*/' }], reason: 'x'.repeat(40) },
        'p',
      ),
    ).toThrow(/specific finding/);
    expect(() => validateSuppression({ ruleId: 'Mine-X1', reason: 'x'.repeat(40) }, 'p')).toThrow(/ruleId/);
    expect(() => validateSuppression({ ruleId: 'AwsSolutions-S1', reason: 'because' }, 'p')).toThrow(
      /reason/,
    );
  });
});

describe('applyCompliancePacks() and the report collector', () => {
  // A deliberately non-compliant bucket: the packs must report it, and a suppression must move one finding.
  const app = new App();
  const stack = new Stack(app, 'NagProbe', { env: { account: '111111111111', region: 'us-east-1' } });
  const bucket = new s3.Bucket(stack, 'Plain');
  suppress(bucket, [
    { ruleId: 'AwsSolutions-S1', reason: 'Probe bucket of this test: access logging is what we test.' },
  ]);
  // And a policy with a prefix wildcard, for the project's own pack.
  new iam.ManagedPolicy(stack, 'ReadAll', {
    statements: [new iam.PolicyStatement({ actions: ['s3:Get*'], resources: [bucket.arnForObjects('*')] })],
  });
  const collector = applyCompliancePacks(stack);
  app.synth();
  const report = collector.report('probe', new Date('2026-01-01T00:00:00Z'));

  it('reports unsuppressed errors of every pack', () => {
    const errors = report.packs.flatMap((pack) => pack.errors.map((error) => error.ruleId));
    expect(errors).toContain('AwsSolutions-S10');
    expect(errors).toContain('PCI.DSS.321-S3BucketSSLRequestsOnly');
    expect(errors).toContain('NIST.800.53.R5-S3BucketSSLRequestsOnly');
    expect(errors).toContain('Sep-PolicyNoWildcardActions');
    expect(report.packs.map((pack) => pack.pack)).toEqual([
      'AwsSolutions',
      'PCI.DSS.321',
      'NIST.800.53.R5',
      'Sep',
    ]);
    expect(report.totals.errors).toBe(errors.length);
  });

  it('reports the suppression with its reason instead of an error', () => {
    const suppressed = report.packs.flatMap((pack) => pack.suppressed);
    expect(suppressed).toEqual([
      {
        ruleId: 'AwsSolutions-S1',
        resource: 'NagProbe/Plain/Resource',
        reason: 'Probe bucket of this test: access logging is what we test.',
      },
    ]);
    expect(report.packs.flatMap((pack) => pack.errors).map((e) => e.ruleId)).not.toContain('AwsSolutions-S1');
  });

  it('counts rules checked and passed per pack', () => {
    expect(report.generatedAt).toBe('2026-01-01T00:00:00.000Z');
    for (const pack of report.packs) expect(pack.rulesChecked).toBeGreaterThan(0);
    expect(report.totals.passed).toBe(report.packs.reduce((sum, pack) => sum + pack.passed, 0));
  });

  it('counts a rule as passed only when no resource drew a finding, so passed never exceeds rules checked', () => {
    const awsSolutions = report.packs.find((pack) => pack.pack === 'AwsSolutions');
    expect(awsSolutions).toBeDefined();
    if (awsSolutions === undefined) return;
    const flaggedRules = new Set(
      [...awsSolutions.suppressed, ...awsSolutions.errors, ...awsSolutions.warnings].map(
        (entry) => entry.ruleId,
      ),
    );
    // AwsSolutions-S1 is suppressed on the probe bucket: checked, not passed.
    expect(flaggedRules.has('AwsSolutions-S1')).toBe(true);
    expect(awsSolutions.passed).toBe(awsSolutions.rulesChecked - flaggedRules.size);
    for (const pack of report.packs) expect(pack.passed).toBeLessThanOrEqual(pack.rulesChecked);
  });
});
