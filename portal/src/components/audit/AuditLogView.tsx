'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { errorMessage } from '../../client/api';
import { formatDateTime } from '../../client/format';
import { useAuditLog } from '../../client/hooks';
import {
  distinctValues,
  matchesSearch,
  nextSort,
  type SortState,
  sortDirectionOf,
  sortRows,
} from '../../client/table-query';
import { AUDIT_ACTIONS, type AuditEntry } from '../../server/domain/types';
import {
  Alert,
  Badge,
  type BadgeTone,
  Button,
  Card,
  FilterSelect,
  SearchField,
  Skeleton,
  Table,
} from '../../ui';

/** Entries per page. */
const PAGE_SIZE = 100;

const OUTCOME_TONE: Record<AuditEntry['outcome'], BadgeTone> = {
  success: 'success',
  failure: 'danger',
  denied: 'warning',
};

const OUTCOMES: readonly AuditEntry['outcome'][] = ['success', 'failure', 'denied'];

type SortKey = 'time' | 'actor' | 'action' | 'target' | 'outcome';

/** Environment actions link to the environment they name. */
function Target({ entry }: { readonly entry: AuditEntry }) {
  return entry.action.startsWith('environment.') ? (
    <Link href={`/environments/${encodeURIComponent(entry.target)}`} className="mono nowrap">
      {entry.target}
    </Link>
  ) : (
    <span className="mono">{entry.target}</span>
  );
}

function detailsText(entry: AuditEntry): string {
  return Object.entries(entry.details)
    .map(([key, value]) => `${key}: ${value}`)
    .join(' · ');
}

/** Who requested, destroyed, approved what and when; searchable, filterable, sortable, newest first. */
export function AuditLogView() {
  const params = useSearchParams();
  const log = useAuditLog({ limit: PAGE_SIZE });
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [action, setAction] = useState('');
  const [outcome, setOutcome] = useState('');
  const [actor, setActor] = useState('');
  const [sort, setSort] = useState<SortState<SortKey>>({ key: 'time', direction: 'descending' });
  const sortable = (key: SortKey) => ({
    direction: sortDirectionOf(sort, key),
    onSort: () => setSort((current) => nextSort(current, key)),
  });

  const shown = sortRows(
    log.entries.filter(
      (entry) =>
        (action === '' || entry.action === action) &&
        (outcome === '' || entry.outcome === outcome) &&
        (actor === '' || entry.actor === actor) &&
        matchesSearch([entry.actor, entry.action, entry.target, entry.outcome, detailsText(entry)], search),
    ),
    sort,
    (entry, key) => (key === 'time' ? entry.timestamp : entry[key]),
  );

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Audit log</h1>
          <p>Every request, destroy, retry, promotion decision and sign-in the portal handled.</p>
        </div>
      </div>
      {log.error ? (
        <Alert tone="danger" role="alert" title="The audit log could not be loaded">
          <p>{errorMessage(log.error)}</p>
        </Alert>
      ) : null}
      <Card
        id="audit-heading"
        title="Entries"
        description={
          log.loaded
            ? `${shown.length} of the ${log.entries.length} newest entries${log.hasMore ? ' (older ones not loaded yet)' : ''}.`
            : 'Loading…'
        }
        flush
        testId="audit-log"
      >
        <search className="toolbar" aria-label="Search and filter the audit log">
          <SearchField
            id="audit-search"
            placeholder="who, what, environment…"
            value={search}
            onChange={setSearch}
          />
          <FilterSelect
            id="audit-action-filter"
            label="Action"
            value={action}
            options={AUDIT_ACTIONS}
            onChange={setAction}
          />
          <FilterSelect
            id="audit-outcome-filter"
            label="Outcome"
            value={outcome}
            options={OUTCOMES}
            onChange={setOutcome}
          />
          <FilterSelect
            id="audit-actor-filter"
            label="Who"
            value={actor}
            options={distinctValues(log.entries, (entry) => entry.actor)}
            onChange={setActor}
          />
        </search>
        {log.loaded ? (
          shown.length > 0 ? (
            <Table
              caption="Audit entries with time, actor, action, target, outcome and details"
              columns={[
                {
                  key: 'time',
                  header: 'Time (UTC)',
                  sort: sortable('time'),
                  cell: (entry) => (
                    <time dateTime={entry.timestamp} className="nowrap">
                      {formatDateTime(entry.timestamp)}
                    </time>
                  ),
                },
                {
                  key: 'actor',
                  header: 'Who',
                  sort: sortable('actor'),
                  cell: (entry) => <strong>{entry.actor}</strong>,
                },
                {
                  key: 'action',
                  header: 'Action',
                  sort: sortable('action'),
                  cell: (entry) => <code>{entry.action}</code>,
                },
                {
                  key: 'target',
                  header: 'Target',
                  sort: sortable('target'),
                  cell: (entry) => <Target entry={entry} />,
                },
                {
                  key: 'outcome',
                  header: 'Outcome',
                  secondary: true,
                  sort: sortable('outcome'),
                  cell: (entry) => <Badge tone={OUTCOME_TONE[entry.outcome]}>{entry.outcome}</Badge>,
                },
                {
                  key: 'details',
                  header: 'Details',
                  secondary: true,
                  cell: (entry) => <span className="small">{detailsText(entry)}</span>,
                },
              ]}
              rows={shown}
              rowKey={(entry) => entry.id}
              rowProps={(entry) => ({ 'data-testid': 'audit-row', 'data-action': entry.action })}
              testId="audit-table"
            />
          ) : (
            <p className="empty-state" data-testid="audit-empty">
              {log.entries.length === 0
                ? 'Nothing recorded yet.'
                : 'No entry matches the search and filters.'}
            </p>
          )
        ) : log.error ? null : (
          <div className="card__body">
            <Skeleton label="Loading the audit log" lines={5} />
          </div>
        )}
        {log.hasMore ? (
          <div className="card__body row">
            <Button onClick={() => void log.loadMore()} disabled={log.loadingMore} data-testid="audit-older">
              {log.loadingMore ? 'Loading…' : `Load ${PAGE_SIZE} older entries`}
            </Button>
          </div>
        ) : null}
      </Card>
    </>
  );
}
