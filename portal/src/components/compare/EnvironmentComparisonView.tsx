'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { errorMessage } from '../../client/api';
import { formatCostDelta, formatDateTime, formatUsd } from '../../client/format';
import { useComparison, useEnvironments } from '../../client/hooks';
import type { EnvironmentComparison } from '../../server/domain/comparison';
import { Alert, Card, Skeleton, Table } from '../../ui';

export interface EnvironmentComparisonViewProps {
  readonly left?: string | undefined;
  readonly right?: string | undefined;
}

type Side = EnvironmentComparison['left'];

/** One compared figure: a label, each side's value, and whether they differ. */
interface Row {
  readonly key: string;
  readonly label: ReactNode;
  readonly left: ReactNode;
  readonly right: ReactNode;
  readonly differs: boolean;
}

function row(
  key: string,
  label: ReactNode,
  pick: (side: Side) => string,
  comparison: EnvironmentComparison,
): Row {
  const left = pick(comparison.left);
  const right = pick(comparison.right);
  return { key, label, left, right, differs: left !== right };
}

/** A three-column table (what, left, right); rows that differ are marked, not only coloured. */
function SideBySide({
  caption,
  rows,
  comparison,
  testId,
}: {
  readonly caption: string;
  readonly rows: readonly Row[];
  readonly comparison: EnvironmentComparison;
  readonly testId: string;
}) {
  return (
    <Table<Row>
      caption={caption}
      testId={testId}
      columns={[
        {
          key: 'label',
          header: 'What',
          cell: (r) => (
            <>
              {r.label}
              {r.differs ? (
                <span className="compare-differs-mark" aria-hidden="true" title="differs">
                  {' '}
                  ≠
                </span>
              ) : null}
            </>
          ),
        },
        {
          key: 'left',
          header: comparison.left.environmentSuffix,
          cell: (r) => r.left,
        },
        {
          key: 'right',
          header: comparison.right.environmentSuffix,
          cell: (r) => (
            <>
              {r.right}
              {r.differs ? <span className="visually-hidden"> (differs)</span> : null}
            </>
          ),
        },
      ]}
      rows={rows}
      rowKey={(r) => r.key}
      rowProps={(r) => ({
        'data-differs': r.differs ? 'true' : undefined,
        'data-testid': `compare-row-${r.key}`,
      })}
    />
  );
}

/** One sentence: how many spec fields and resource types differ, and the cost difference. */
function summaryOf(data: EnvironmentComparison): string {
  const differ = (count: number, noun: string) =>
    count === 1 ? `1 ${noun} differs` : `${count} ${noun}s differ`;
  const spec = differ(data.differences.spec.length, 'spec field');
  const undeployed = [data.left, data.right].filter((side) => !side.resources.available);
  const resources =
    undeployed.length > 0
      ? `resources cannot be compared (${undeployed.map((side) => side.environmentSuffix).join(' and ')} not deployed)`
      : `${differ(data.differences.resources.length, 'resource type')} in count`;
  const delta = data.differences.monthlyCostUsd;
  const cost =
    delta === 0
      ? 'both cost the same per month'
      : `${data.right.environmentSuffix} costs ${formatCostDelta(delta)} against ${data.left.environmentSuffix}`;
  return `${spec}; ${resources}; ${cost}.`;
}

/** Picks the two environments when the address does not name them (or names them wrongly). */
function ComparePicker({ left, right }: EnvironmentComparisonViewProps) {
  const { environments } = useEnvironments();
  const suffixes = environments
    .filter((environment) => environment.status !== 'destroyed')
    .map((environment) => environment.environmentSuffix);
  const select = (name: 'left' | 'right', value: string | undefined) => (
    <div className="field">
      <label className="field__label" htmlFor={`compare-${name}`}>
        {name === 'left' ? 'Left' : 'Right'}
      </label>
      <select
        id={`compare-${name}`}
        name={name}
        className="select"
        defaultValue={value ?? ''}
        data-testid={`compare-${name}`}
      >
        <option value="" disabled>
          Choose an environment
        </option>
        {suffixes.map((suffix) => (
          <option key={suffix} value={suffix}>
            {suffix}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form className="row compare-picker" action="/environments/compare" method="get">
      {select('left', left)}
      {select('right', right)}
      <button type="submit" className="button button--primary">
        Compare
      </button>
    </form>
  );
}

/**
 * Two environments side by side (e.g. staging and prod): what the spec asks for, what the deployed
 * templates hold, how the checks came out and what it costs, with the differences marked.
 */
export function EnvironmentComparisonView({ left, right }: EnvironmentComparisonViewProps) {
  const pair = left !== undefined && right !== undefined && left !== right ? { left, right } : null;
  const { data, error } = useComparison(pair);

  const header = (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/">Environments</Link>
        {left ? (
          <>
            {' '}
            / <Link href={`/environments/${encodeURIComponent(left)}`}>{left}</Link>
          </>
        ) : null}{' '}
        / compare
      </nav>
      <h1>{pair ? `${pair.left} and ${pair.right}` : 'Compare environments'}</h1>
    </>
  );

  if (pair === null || error?.status === 400) {
    return (
      <div className="compare-view" data-testid="environment-comparison">
        {header}
        {pair === null && left !== undefined && left === right ? (
          <Alert tone="warning" title="Choose two different environments" testId="compare-error">
            <p>An environment compared with itself shows no difference.</p>
          </Alert>
        ) : error ? (
          <Alert tone="warning" title="These cannot be compared" testId="compare-error">
            <p>{errorMessage(error)}</p>
          </Alert>
        ) : null}
        <ComparePicker left={left} right={right} />
      </div>
    );
  }

  if (error) {
    return (
      <div className="compare-view" data-testid="environment-comparison">
        {header}
        <Alert
          tone={error.status === 404 ? 'warning' : 'danger'}
          role="alert"
          title={error.status === 404 ? 'No such environment' : 'The comparison could not be loaded'}
          testId="compare-error"
        >
          <p>{errorMessage(error)}</p>
        </Alert>
        <ComparePicker left={left} right={right} />
      </div>
    );
  }

  if (!data) {
    return (
      <div className="compare-view" data-testid="environment-comparison">
        {header}
        <Skeleton label="Comparing the environments" lines={6} />
      </div>
    );
  }

  const overview = [
    row('kind', 'Kind', (side) => side.kind, data),
    row('status', 'Status', (side) => side.status, data),
    row('region', 'Region', (side) => side.region, data),
    row('account', 'Account', (side) => side.account ?? 'pipeline account', data),
    row('cost', 'Monthly cost', (side) => formatUsd(side.cost.monthlyUsd), data),
  ];
  const compliance = [
    row(
      'nag',
      'cdk-nag (unsuppressed findings / suppressed / rules checked)',
      (side) =>
        side.compliance.nagAvailable
          ? `${side.compliance.nag.errors} / ${side.compliance.nag.suppressed} / ${side.compliance.nag.rulesChecked}`
          : 'no report',
      data,
    ),
    row(
      'config',
      'AWS Config (compliant / non-compliant / other)',
      (side) =>
        side.compliance.configAvailable
          ? `${side.compliance.config.compliant} / ${side.compliance.config.nonCompliant} / ${side.compliance.config.other}`
          : 'not evaluated',
      data,
    ),
  ];
  const types = [
    ...new Set([...Object.keys(data.left.resources.byType), ...Object.keys(data.right.resources.byType)]),
  ].sort();
  const count = (side: Side, type: string) =>
    side.resources.available ? String(side.resources.byType[type] ?? 0) : '—';
  const bothDeployed = data.left.resources.available && data.right.resources.available;
  // Against a side with no deployed template the counts are unknown: shown, never marked as differing.
  const known = (r: Row): Row => (bothDeployed ? r : { ...r, differs: false });
  const resources = [
    row(
      'resources-total',
      <strong>All resources</strong>,
      (side) => (side.resources.available ? String(side.resources.total) : 'not deployed'),
      data,
    ),
    ...types.map((type) =>
      known(row(`type-${type}`, <code>{type}</code>, (side) => count(side, type), data)),
    ),
  ];
  const unknown = [data.left, data.right].filter((side) => !side.resources.available);
  const costItems = [
    ...new Set([...data.left.cost.lines, ...data.right.cost.lines].map((line) => line.item)),
  ];
  const costOf = (side: Side, item: string) => {
    const line = side.cost.lines.find((candidate) => candidate.item === item);
    return line === undefined ? '—' : formatUsd(line.monthlyUsd);
  };
  const labelOf = (item: string) =>
    [...data.left.cost.lines, ...data.right.cost.lines].find((line) => line.item === item)?.label ?? item;
  const cost = costItems.map((item) =>
    row(`cost-${item}`, labelOf(item), (side) => costOf(side, item), data),
  );

  return (
    <div className="compare-view" data-testid="environment-comparison">
      {header}
      <p className="small muted" data-testid="compare-summary">
        {summaryOf(data)} Rows that differ are marked.
      </p>

      <Card id="compare-overview" title="Overview" flush testId="compare-overview">
        <SideBySide caption="Overview" rows={overview} comparison={data} testId="compare-overview-table" />
      </Card>

      <Card
        id="compare-spec"
        title="Spec differences"
        description="Fields of the validated specs whose values differ (the suffix aside)."
        flush
        testId="compare-spec"
      >
        {data.differences.spec.length === 0 ? (
          <p className="card__body muted">The specs ask for the same things.</p>
        ) : (
          <SideBySide
            caption="Spec differences"
            comparison={data}
            testId="compare-spec-table"
            rows={data.differences.spec.map((difference) => ({
              key: `spec-${difference.path}`,
              label: <code>{difference.path}</code>,
              left: <code>{difference.left ?? 'not set'}</code>,
              right: <code>{difference.right ?? 'not set'}</code>,
              differs: true,
            }))}
          />
        )}
      </Card>

      <Card
        id="compare-resources"
        title="Template resources"
        description="Resources of each deployed template, by CloudFormation type."
        flush
        testId="compare-resources"
      >
        {unknown.map((side) => (
          <p
            key={side.environmentSuffix}
            className="card__body small muted"
            data-testid="compare-resources-unknown"
          >
            {side.environmentSuffix}: {side.resources.unavailableReason ?? 'no deployed template'}
          </p>
        ))}
        <SideBySide
          caption="Template resources by type"
          rows={resources}
          comparison={data}
          testId="compare-resources-table"
        />
        {[data.left, data.right].some((side) => side.resources.lastDeployedAt) ? (
          <p className="card__body small muted">
            {[data.left, data.right]
              .map((side) =>
                side.resources.lastDeployedAt
                  ? `${side.environmentSuffix} last deployed ${formatDateTime(side.resources.lastDeployedAt)}`
                  : `${side.environmentSuffix} not deployed`,
              )
              .join(' · ')}
          </p>
        ) : null}
      </Card>

      <Card id="compare-compliance" title="Compliance" flush testId="compare-compliance">
        <SideBySide
          caption="Compliance results"
          rows={compliance}
          comparison={data}
          testId="compare-compliance-table"
        />
        {[data.left, data.right]
          .filter((side) => side.compliance.unavailableReason)
          .map((side) => (
            <p key={side.environmentSuffix} className="card__body small muted">
              {side.environmentSuffix}: {side.compliance.unavailableReason}
            </p>
          ))}
      </Card>

      <Card
        id="compare-cost"
        title="Cost"
        description="Monthly run rate from the price table the request form uses."
        flush
        testId="compare-cost"
      >
        <SideBySide
          caption="Monthly cost by line"
          rows={cost}
          comparison={data}
          testId="compare-cost-table"
        />
      </Card>
    </div>
  );
}
