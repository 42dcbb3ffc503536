import { Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { NagReportCollector } from './report';
import { SepPolicyChecks } from './sep-pack';

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
