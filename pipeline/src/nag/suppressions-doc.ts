import type { NagReport } from '@sep/infra';

/** Markers of the generated section in pipeline/README.md. */
export const DOC_START = '<!-- pipeline-nag-suppressions:start -->';
export const DOC_END = '<!-- pipeline-nag-suppressions:end -->';

/**
 * The "cdk-nag on the pipeline stack" suppression list, generated from the
 * reports of synthesized PipelineStacks (never hand-copied): one entry per rule
 * and reason, with the resources (paths below the stack) and findings it covers.
 */
export function renderPipelineSuppressions(reports: readonly NagReport[]): string {
  const rows = new Map<
    string,
    { ruleId: string; reason: string; resources: Set<string>; findings: Set<string> }
  >();
  for (const report of reports) {
    for (const entry of report.packs.flatMap((pack) => pack.suppressed)) {
      const key = `${entry.ruleId}\u0000${entry.reason}`;
      const row = rows.get(key) ?? {
        ruleId: entry.ruleId,
        reason: entry.reason,
        resources: new Set(),
        findings: new Set(),
      };
      rows.set(key, row);
      row.resources.add(
        entry.resource
          .split('/')
          .slice(1)
          .join('/')
          .replace(/\/Resource$/, ''),
      );
      if (entry.findingId !== undefined) row.findings.add(entry.findingId);
    }
  }
  const code = (text: string) => `\`${text}\``;
  const list = (values: Set<string>) => [...values].sort().map(code).join(', ');
  const lines = [...rows.values()]
    .sort((a, b) => a.ruleId.localeCompare(b.ruleId) || a.reason.localeCompare(b.reason))
    .flatMap((row) => [
      `- ${code(row.ruleId)} on ${list(row.resources)}${row.findings.size === 0 ? '' : `; findings ${list(row.findings)}`}.`,
      `  Reason: ${row.reason}`,
    ]);
  return [DOC_START, '', ...lines, '', DOC_END].join('\n');
}
