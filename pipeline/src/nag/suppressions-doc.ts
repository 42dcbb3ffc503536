import { type NagReport, suppressionRows } from '@sep/infra';

/** Markers of the generated section in pipeline/README.md. */
export const DOC_START = '<!-- pipeline-nag-suppressions:start -->';
export const DOC_END = '<!-- pipeline-nag-suppressions:end -->';

/**
 * The "cdk-nag on the pipeline stack" suppression list, generated from the
 * reports of synthesized PipelineStacks (never hand-copied): one entry per rule
 * and reason, with the resources (paths below the stack) and findings it covers.
 */
export function renderPipelineSuppressions(reports: readonly NagReport[]): string {
  return renderSuppressions(reports, { start: DOC_START, end: DOC_END });
}

/** The same list for any stack's reports, between the given markers. */
export function renderSuppressions(
  reports: readonly NagReport[],
  markers: { readonly start: string; readonly end: string },
): string {
  const rows = suppressionRows(reports.map((report, index) => ({ name: String(index), report })));
  const code = (text: string) => `\`${text}\``;
  const list = (values: Set<string>) => [...values].sort().map(code).join(', ');
  const lines = rows.flatMap((row) => [
    `- ${code(row.ruleId)} on ${list(row.resources)}${row.findings.size === 0 ? '' : `; findings ${list(row.findings)}`}.`,
    `  Reason: ${row.reason}`,
  ]);
  return [markers.start, '', ...lines, '', markers.end].join('\n');
}
