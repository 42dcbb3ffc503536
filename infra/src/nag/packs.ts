import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aspects, type Stage } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { NagReportCollector } from './report';
import { SepPolicyChecks } from './sep-pack';

/** File a stage writes next to its synthesized templates (ARCHITECTURE.md). */
export const NAG_REPORT_FILE = 'nag-report.json';

export interface CompliancePacksOptions {
  /**
   * Receives every result of every pack.
   *
   * @default - a new collector, returned
   */
  readonly collector?: NagReportCollector;
}

/**
 * Adds the four packs the product promises (AwsSolutions, PCI DSS 3.2.1,
 * NIST 800-53 rev 5 and the project's own Sep) as aspects on `scope`, with the report collector as an
 * additional logger. cdk-nag's own CSV reports are off: the collector's report
 * is the one that travels with the stage.
 */
export function applyCompliancePacks(
  scope: IConstruct,
  options: CompliancePacksOptions = {},
): NagReportCollector {
  const collector = options.collector ?? new NagReportCollector();
  const props = { reports: false, additionalLoggers: [collector] };
  for (const pack of [
    new AwsSolutionsChecks(props),
    new PCIDSS321Checks(props),
    new NIST80053R5Checks(props),
    new SepPolicyChecks(props),
  ]) {
    Aspects.of(scope).add(pack);
  }
  return collector;
}

/**
 * The packs on a stage, with its report written beside its templates as `NAG_REPORT_FILE`: validation
 * runs after the aspects (the packs) and before the assembly is written, so the report sits in the
 * stage's assembly directory. Returns the collector the stage's `nagReport()` reads.
 */
export function applyStageCompliancePacks(stage: Stage): NagReportCollector {
  const collector = applyCompliancePacks(stage);
  stage.node.addValidation({
    validate: () => {
      const report = collector.report(stage.stageName);
      writeFileSync(join(stage.outdir, NAG_REPORT_FILE), `${JSON.stringify(report, null, 2)}\n`);
      return [];
    },
  });
  return collector;
}
