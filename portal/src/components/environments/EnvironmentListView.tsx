'use client';

import { ENVIRONMENT_KINDS } from '@sep/spec';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { errorMessage } from '../../client/api';
import { formatAge, formatTotalOfShown, formatTtlLeft, formatUsd } from '../../client/format';
import { useEnvironments, useSession } from '../../client/hooks';
import {
  distinctValues,
  matchesSearch,
  nextSort,
  type SortState,
  sortDirectionOf,
  sortRows,
} from '../../client/table-query';
import { useNow } from '../../client/use-now';
import { ENVIRONMENT_STATUSES, type EnvironmentView } from '../../server/domain/types';
import { Alert, Button, Card, FilterSelect, SearchField, Skeleton, Table, type TableColumn } from '../../ui';
import { KindBadge } from './KindBadge';
import { StatusBadge } from './StatusBadge';

/** Environments that still exist (and still cost money). */
function isActive(environment: EnvironmentView): boolean {
  return environment.status !== 'destroyed';
}

type SortKey = 'suffix' | 'status' | 'kind' | 'owner' | 'age' | 'cost';

const ANY = '';

/** Every environment with its status, owner, age, TTL and estimated cost; searchable, filterable, sortable. */
export function EnvironmentListView() {
  const session = useSession();
  const list = useEnvironments();
  const now = useNow(30_000);
  const [showDestroyed, setShowDestroyed] = useState(false);
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<string>(ANY);
  const [kind, setKind] = useState<string>(ANY);
  const [owner, setOwner] = useState<string>(ANY);
  const [sort, setSort] = useState<SortState<SortKey>>({ key: 'suffix', direction: 'ascending' });

  const { environments, first } = list;
  const narrowing = search.trim() !== '' || status !== ANY || kind !== ANY || owner !== ANY;
  // Filters and sorting see every environment: load the remaining pages once someone narrows the list.
  const { hasMore, loadingMore, loadMore } = list;
  useEffect(() => {
    if ((narrowing || sort.key !== 'suffix') && hasMore && !loadingMore) void loadMore();
  }, [narrowing, sort.key, hasMore, loadingMore, loadMore]);

  const visible = sortRows(
    environments.filter(
      (environment) =>
        (showDestroyed || status === 'destroyed' || isActive(environment)) &&
        (status === ANY || environment.status === status) &&
        (kind === ANY || environment.kind === kind) &&
        (owner === ANY || environment.owner === owner) &&
        matchesSearch(
          [
            environment.environmentSuffix,
            environment.project,
            environment.owner,
            environment.region,
            environment.costCenter,
            environment.status,
          ],
          search,
        ),
    ),
    sort,
    (environment, key) => {
      switch (key) {
        case 'suffix':
          return environment.environmentSuffix;
        case 'status':
          return environment.status;
        case 'kind':
          return environment.kind;
        case 'owner':
          return environment.owner;
        case 'age':
          return Date.parse(environment.createdAt);
        case 'cost':
          return isActive(environment) ? environment.monthlyCostUsd : 0;
      }
    },
  );
  const destroyedCount = first?.summary.destroyed ?? 0;
  const costs = visible.filter(isActive).map((environment) => environment.monthlyCostUsd);
  const sortable = (key: SortKey) => ({
    direction: sortDirectionOf(sort, key),
    onSort: () => setSort((current) => nextSort(current, key)),
  });

  const columns: TableColumn<EnvironmentView>[] = [
    {
      key: 'suffix',
      header: 'Environment',
      sort: sortable('suffix'),
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
      sort: sortable('status'),
      cell: (environment) => (
        <StatusBadge
          status={environment.status}
          testId={`environment-status-${environment.environmentSuffix}`}
        />
      ),
    },
    {
      key: 'kind',
      header: 'Kind',
      secondary: true,
      sort: sortable('kind'),
      cell: (environment) => <KindBadge kind={environment.kind} />,
    },
    {
      key: 'owner',
      header: 'Owner',
      secondary: true,
      sort: sortable('owner'),
      cell: (environment) => environment.owner,
    },
    {
      key: 'age',
      header: 'Age',
      secondary: true,
      sort: sortable('age'),
      cell: (environment) => formatAge({ createdAt: environment.createdAt, now }),
    },
    {
      key: 'ttl',
      header: 'TTL left',
      secondary: true,
      cell: (environment) =>
        isActive(environment) ? formatTtlLeft({ expiresAt: environment.expiresAt, now }) : '—',
    },
    {
      key: 'cost',
      header: 'Cost / month',
      numeric: true,
      sort: sortable('cost'),
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
            ? `Estimated total of the ${costs.length} active ${narrowing ? 'matching ' : ''}environments shown: ${formatTotalOfShown(costs)} per month at list prices.`
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
        <search className="toolbar" aria-label="Search and filter environments">
          <SearchField
            id="environment-search"
            placeholder="suffix, project, owner…"
            value={search}
            onChange={setSearch}
          />
          <FilterSelect
            id="environment-status-filter"
            label="Status"
            value={status}
            options={ENVIRONMENT_STATUSES}
            onChange={setStatus}
          />
          <FilterSelect
            id="environment-kind-filter"
            label="Kind"
            value={kind}
            options={ENVIRONMENT_KINDS}
            onChange={setKind}
          />
          <FilterSelect
            id="environment-owner-filter"
            label="Owner"
            value={owner}
            options={distinctValues(environments, (environment) => environment.owner)}
            onChange={setOwner}
          />
        </search>
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
                footer={{
                  label: `Total of ${costs.length} active shown`,
                  cells: {
                    cost: <span data-testid="environment-total-cost">{formatTotalOfShown(costs)}</span>,
                  },
                }}
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
          ) : narrowing ? (
            <p className="empty-state" data-testid="environment-list-no-match">
              No environment matches the search and filters.
            </p>
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
