'use client';

import Link from 'next/link';
import { useState } from 'react';
import { errorMessage } from '../../client/api';
import { formatDateTime } from '../../client/format';
import { useAuditPage } from '../../client/hooks';
import type { AuditEntry } from '../../server/domain/types';
import { Alert, Badge, type BadgeTone, Button, Card, Skeleton, Table, type TableColumn } from '../../ui';

/** Entries per page. */
const PAGE_SIZE = 50;

const OUTCOME_TONE: Record<AuditEntry['outcome'], BadgeTone> = {
  success: 'success',
  failure: 'danger',
  denied: 'warning',
};

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

const COLUMNS: TableColumn<AuditEntry>[] = [
  {
    key: 'time',
    header: 'Time (UTC)',
    cell: (entry) => (
      <time dateTime={entry.timestamp} className="nowrap">
        {formatDateTime(entry.timestamp)}
      </time>
    ),
  },
  { key: 'actor', header: 'Who', cell: (entry) => <strong>{entry.actor}</strong> },
  { key: 'action', header: 'Action', cell: (entry) => <code className="nowrap">{entry.action}</code> },
  { key: 'target', header: 'Target', cell: (entry) => <Target entry={entry} /> },
  {
    key: 'outcome',
    header: 'Outcome',
    cell: (entry) => <Badge tone={OUTCOME_TONE[entry.outcome]}>{entry.outcome}</Badge>,
  },
  {
    key: 'details',
    header: 'Details',
    cell: (entry) => (
      <span className="small">
        {Object.entries(entry.details)
          .map(([key, value]) => `${key}: ${value}`)
          .join(' · ')}
      </span>
    ),
  },
];

/** Who requested, destroyed, approved what and when; newest first, paged by cursor. */
export function AuditLogView() {
  // Cursors of the pages above the current one, so "Newer" can walk back.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const page = useAuditPage({ before, limit: PAGE_SIZE });
  const entries = page.data?.entries ?? [];

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Audit log</h1>
          <p>Every request, destroy, promotion decision and sign-in the portal handled, newest first.</p>
        </div>
      </div>
      {page.error ? (
        <Alert tone="danger" role="alert" title="The audit log could not be loaded">
          <p>{errorMessage(page.error)}</p>
        </Alert>
      ) : null}
      <Card
        id="audit-heading"
        title={cursors.length > 1 ? `Older entries (page ${cursors.length})` : 'Latest entries'}
        flush
        testId="audit-log"
        actions={
          <>
            <Button
              small
              disabled={cursors.length <= 1}
              onClick={() => setCursors((stack) => stack.slice(0, -1))}
              data-testid="audit-newer"
            >
              Newer
            </Button>
            <Button
              small
              disabled={!page.data?.nextBefore}
              onClick={() => {
                const next = page.data?.nextBefore;
                if (next) setCursors((stack) => [...stack, next]);
              }}
              data-testid="audit-older"
            >
              Older
            </Button>
          </>
        }
      >
        {page.data ? (
          entries.length > 0 ? (
            <Table
              caption="Audit entries with time, actor, action, target, outcome and details"
              columns={COLUMNS}
              rows={entries}
              rowKey={(entry) => entry.id}
              rowProps={(entry) => ({ 'data-testid': 'audit-row', 'data-action': entry.action })}
              testId="audit-table"
            />
          ) : (
            <p className="empty-state">Nothing recorded yet.</p>
          )
        ) : page.error ? null : (
          <div className="card__body">
            <Skeleton label="Loading the audit log" lines={5} />
          </div>
        )}
      </Card>
    </>
  );
}
