import { formatTotalOfShown, formatUsd } from '../../client/format';
import type { EnvironmentDetail } from '../../server/domain/types';
import { Badge, Card } from '../../ui';

const FEATURE_LABELS = {
  database: 'Aurora MySQL',
  networkFirewall: 'Network Firewall',
  waf: 'WAF',
  documentPipeline: 'Document pipeline',
  guardDutyRemediation: 'GuardDuty remediation',
} as const;

/** What was requested: placement, classification, features and the monthly estimate. */
export function SpecSummaryCard({ detail }: { readonly detail: EnvironmentDetail }) {
  const { spec, cost } = detail;
  // Every line, so the lines on screen add up to the total on screen.
  const lines = [...cost.lines].sort((a, b) => b.monthlyUsd - a.monthlyUsd);
  return (
    <Card id="spec-heading" title="Specification" testId="spec-summary">
      <dl className="kv">
        <dt>Stack</dt>
        <dd className="mono">{detail.stackName}</dd>
        <dt>Region / account</dt>
        <dd>
          {spec.region}
          {spec.account ? ` / ${spec.account}` : ' / pipeline default'}
        </dd>
        <dt>Data classification</dt>
        <dd>{spec.dataClassification}</dd>
        <dt>Compliance level</dt>
        <dd>{spec.complianceLevel}</dd>
        <dt>Features</dt>
        <dd className="row">
          {(Object.keys(FEATURE_LABELS) as (keyof typeof FEATURE_LABELS)[]).map((feature) => (
            <Badge key={feature} tone={spec.features[feature] ? 'info' : 'neutral'}>
              {FEATURE_LABELS[feature]}: {spec.features[feature] ? 'on' : 'off'}
            </Badge>
          ))}
          <Badge tone="neutral">API: {spec.features.apiEndpointType.toLowerCase()}</Badge>
        </dd>
        <dt>Estimated cost</dt>
        <dd>
          <strong data-testid="detail-monthly-cost">
            {formatTotalOfShown(lines.map((line) => line.monthlyUsd))}
          </strong>{' '}
          per month
          <ul className="cost-lines" data-testid="detail-cost-lines">
            {lines.map((line) => (
              <li key={line.item} title={line.basis}>
                <span>{line.label}</span>
                <span>{formatUsd(line.monthlyUsd)}</span>
              </li>
            ))}
          </ul>
        </dd>
      </dl>
    </Card>
  );
}
