'use client';

import { useState } from 'react';
import { errorMessage } from '../../client/api';
import { formatDateTime } from '../../client/format';
import { useCompliance } from '../../client/hooks';
import type { ConfigCompliance, NagPackSummary } from '../../server/domain/types';
import { Alert, Badge, type BadgeTone, Card, Skeleton } from '../../ui';

const CONFIG_TONE: Record<ConfigCompliance, BadgeTone> = {
  COMPLIANT: 'success',
  NON_COMPLIANT: 'danger',
  NOT_APPLICABLE: 'neutral',
  INSUFFICIENT_DATA: 'warning',
};

export interface ComplianceCardProps {
  readonly suffix: string;
  /** The report exists once the stage is synthesized; re-read it when the status moves on. */
  readonly statusKey: string;
}

/** Static cdk-nag pack results (with every suppression's reason) and, in aws mode, AWS Config rule results. */
export function ComplianceCard({ suffix, statusKey }: ComplianceCardProps) {
  const report = useCompliance(suffix, { enabled: true, revision: statusKey });
  const data = report.data;
  return (
    <Card
      id="compliance-heading"
      title="Compliance"
      description="Static: cdk-nag packs run on every synth. Runtime: AWS Config rules scoped to this environment."
      testId="compliance"
    >
      {report.error ? (
        <Alert tone="danger" role="alert" title="The compliance report could not be loaded">
          <p>{errorMessage(report.error)}</p>
        </Alert>
      ) : !data ? (
        <Skeleton label="Loading compliance" />
      ) : (
        <>
          <h3>Static analysis (cdk-nag)</h3>
          {data.static.available ? (
            <>
              <p className="small muted" data-testid="compliance-static-summary">
                {data.static.totals.rulesChecked} rules checked, {data.static.totals.passed} passed on every
                resource, {data.static.totals.suppressed} findings suppressed with a reason,{' '}
                {data.static.totals.errors} unsuppressed errors
                {data.static.generatedAt ? ` — report of ${formatDateTime(data.static.generatedAt)}` : ''}.
              </p>
              <div className="table-wrap">
                <table className="table" data-testid="compliance-packs">
                  <caption className="visually-hidden">cdk-nag results per compliance pack</caption>
                  <thead>
                    <tr>
                      <th scope="col">Pack</th>
                      <th scope="col" className="numeric">
                        Rules checked
                      </th>
                      <th scope="col" className="numeric">
                        Passed
                      </th>
                      <th scope="col" className="numeric">
                        Suppressed
                      </th>
                      <th scope="col" className="numeric">
                        Errors
                      </th>
                      <th scope="col">Result</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.static.packs.map((pack) => (
                      <tr key={pack.pack} data-testid={`compliance-pack-${pack.pack}`}>
                        <th scope="row">{pack.pack}</th>
                        <td className="numeric">{pack.rulesChecked}</td>
                        <td className="numeric">{pack.passed}</td>
                        <td className="numeric">{pack.suppressed.length}</td>
                        <td className="numeric">{pack.errors.length}</td>
                        <td>
                          {pack.errors.length === 0 ? (
                            <Badge tone="success">Pass</Badge>
                          ) : (
                            <Badge tone="danger">{pack.errors.length} errors</Badge>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {data.static.packs.map((pack) => (
                <PackDetails key={pack.pack} pack={pack} />
              ))}
            </>
          ) : (
            <p className="muted" data-testid="compliance-static-summary">
              {data.static.unavailableReason ??
                'The cdk-nag report is produced when the stage is synthesized.'}
            </p>
          )}
          <h3 className="spaced-top">Runtime (AWS Config)</h3>
          {data.runtime.available ? (
            data.runtime.rules.length === 0 ? (
              <p className="muted">No Config rule has evaluated this environment yet.</p>
            ) : (
              <ul className="stack" data-testid="compliance-runtime">
                {data.runtime.rules.map((rule) => (
                  <li key={rule.ruleName} className="row">
                    <Badge tone={CONFIG_TONE[rule.compliance]}>{rule.compliance.replace('_', ' ')}</Badge>
                    <code>{rule.ruleName}</code>
                    {rule.nonCompliantResources ? (
                      <span className="small">{rule.nonCompliantResources} non-compliant resources</span>
                    ) : null}
                  </li>
                ))}
              </ul>
            )
          ) : (
            <p className="muted" data-testid="compliance-runtime">
              {data.runtime.unavailableReason ?? 'AWS Config results are not available.'}
            </p>
          )}
        </>
      )}
    </Card>
  );
}

function PackDetails({ pack }: { readonly pack: NagPackSummary }) {
  // Hundreds of findings: their rows are built when the reader opens the list, not before.
  const [open, setOpen] = useState(false);
  if (pack.suppressed.length === 0 && pack.errors.length === 0 && pack.warnings.length === 0) return null;
  return (
    <details className="details" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        {pack.pack}: {pack.suppressed.length} suppressions
        {pack.errors.length > 0 ? `, ${pack.errors.length} errors` : ''}
        {pack.warnings.length > 0 ? `, ${pack.warnings.length} warnings` : ''}
      </summary>
      {open ? <PackFindings pack={pack} /> : null}
    </details>
  );
}

function PackFindings({ pack }: { readonly pack: NagPackSummary }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{pack.pack} findings and suppressions</caption>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Resource</th>
            <th scope="col">Outcome</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {pack.errors.map((finding) => (
            <tr key={`error-${finding.ruleId}-${finding.resource}-${finding.findingId ?? ''}`}>
              <td className="mono">
                {finding.findingId ? `${finding.ruleId}[${finding.findingId}]` : finding.ruleId}
              </td>
              <td className="mono small">{finding.resource}</td>
              <td>
                <Badge tone="danger">error</Badge>
              </td>
              <td className="small">{finding.message ?? ''}</td>
            </tr>
          ))}
          {pack.suppressed.map((suppression) => (
            <tr
              key={`suppressed-${suppression.ruleId}-${suppression.resource}-${suppression.findingId ?? ''}`}
            >
              <td className="mono">
                {suppression.findingId
                  ? `${suppression.ruleId}[${suppression.findingId}]`
                  : suppression.ruleId}
              </td>
              <td className="mono small">{suppression.resource}</td>
              <td>
                <Badge tone="warning">suppressed</Badge>
              </td>
              <td className="small">{suppression.reason}</td>
            </tr>
          ))}
          {pack.warnings.map((finding) => (
            <tr key={`warning-${finding.ruleId}-${finding.resource}-${finding.findingId ?? ''}`}>
              <td className="mono">
                {finding.findingId ? `${finding.ruleId}[${finding.findingId}]` : finding.ruleId}
              </td>
              <td className="mono small">{finding.resource}</td>
              <td>
                <Badge tone="neutral">warning</Badge>
              </td>
              <td className="small">{finding.message ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
