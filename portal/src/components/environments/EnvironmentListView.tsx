'use client';

import Link from 'next/link';
import { useState } from 'react';
import { errorMessage } from '../../client/api';
import { formatAge, formatTtlLeft, formatUsd } from '../../client/format';
import { useEnvironments, useSession } from '../../client/hooks';
import { useNow } from '../../client/use-now';
import type { EnvironmentView } from '../../server/domain/types';
import { Alert, Button, Card, Skeleton, Table, type TableColumn } from '../../ui';
import { KindBadge } from './KindBadge';
import { StatusBadge } from './StatusBadge';

/** Environments that still exist (and still cost money). */
function isActive(environment: EnvironmentView): boolean {
  return environment.status !== 'destroyed';
}

/** Every environment with its status, owner, age, TTL and estimated cost; refreshes on its own. */
export function EnvironmentListView() {
  const session = useSession();
  const list = useEnvironments();
  const now = useNow(30_000);
  const [showDestroyed, setShowDestroyed] = useState(false);

  const { environments, first } = list;
  const visible = showDestroyed ? environments : environments.filter(isActive);
  const destroyedCount = first?.summary.destroyed ?? 0;

  const columns: TableColumn<EnvironmentView>[] = [
    {
      key: 'suffix',
      header: 'Environment',
      cell: (environment) => (
        <div>
          <Link
            href={`/environments/${environment.environmentSuffix}`}
            className="mono"
            data-testid={`environment-link-${environment.environmentSuffix}`}
          >
            {environment.environmentSuffix}
          </Link>
          <div className="small muted">
            {environment.project} · {environment.region}
          </div>
        </div>
      ),
    },
    {
      key: 'status',
      header: 'Status',
      cell: (environment) => (
        <StatusBadge
          status={environment.status}
          testId={`environment-status-${environment.environmentSuffix}`}
        />
      ),
    },
    { key: 'kind', header: 'Kind', cell: (environment) => <KindBadge kind={environment.kind} /> },
    { key: 'owner', header: 'Owner', cell: (environment) => environment.owner },
    {
      key: 'age',
      header: 'Age',
      cell: (environment) => formatAge({ createdAt: environment.createdAt, now }),
    },
    {
      key: 'ttl',
      header: 'TTL left',
      cell: (environment) =>
        isActive(environment) ? formatTtlLeft({ expiresAt: environment.expiresAt, now }) : '—',
    },
    {
      key: 'cost',
      header: 'Est. monthly cost',
      numeric: true,
      cell: (environment) => (isActive(environment) ? formatUsd(environment.monthlyCostUsd) : '—'),
    },
  ];

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Environments</h1>
          <p>
            Ephemeral environments live for their TTL and are swept automatically; staging and prod persist.
          </p>
        </div>
        {session.data?.can.requestEnvironment ? (
          <Link
            href="/environments/new"
            className="button button--primary"
            data-testid="request-environment-link"
          >
            Request environment
          </Link>
        ) : null}
      </div>
      {list.error ? (
        <Alert tone="danger" role="alert" title="Environments could not be loaded">
          <p>{errorMessage(list.error)}</p>
        </Alert>
      ) : null}
      <Card
        id="environments-heading"
        title={first ? `${first.summary.active} active environments` : 'Active environments'}
        description={
          first
            ? `Estimated total: ${formatUsd(first.summary.monthlyCostUsd)} per month at list prices.`
            : 'Loading…'
        }
        actions={
          destroyedCount > 0 ? (
            <label className="row small">
              <input
                type="checkbox"
                checked={showDestroyed}
                onChange={(event) => setShowDestroyed(event.target.checked)}
                data-testid="show-destroyed"
              />
              Show {destroyedCount} destroyed
            </label>
          ) : null
        }
        flush
        testId="environment-list"
      >
        {first ? (
          visible.length > 0 || list.hasMore ? (
            <>
              <Table
                caption="Environments with status, kind, owner, age, time to live and estimated monthly cost"
                columns={columns}
                rows={visible}
                rowKey={(environment) => environment.environmentSuffix}
                rowProps={(environment) => ({
                  'data-testid': `environment-row-${environment.environmentSuffix}`,
                  'data-status': environment.status,
                })}
                testId="environment-table"
              />
              {list.hasMore ? (
                <div className="card__body row">
                  <Button
                    onClick={() => void list.loadMore()}
                    disabled={list.loadingMore}
                    data-testid="environment-list-more"
                  >
                    {list.loadingMore ? 'Loading…' : 'Show more environments'}
                  </Button>
                  <span className="small muted">
                    {environments.length} of {first.total} loaded
                  </span>
                </div>
              ) : null}
            </>
          ) : (
            <div className="empty-state">
              <p>No environments yet.</p>
              {session.data?.can.requestEnvironment ? (
                <Link href="/environments/new" className="button button--primary">
                  Request your first environment
                </Link>
              ) : null}
            </div>
          )
        ) : list.error ? null : (
          <div className="card__body">
            <Skeleton label="Loading environments" lines={4} />
          </div>
        )}
      </Card>
    </>
  );
}
