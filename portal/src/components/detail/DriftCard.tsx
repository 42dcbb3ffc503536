'use client';

import { useState } from 'react';
import { errorMessage, sendJson } from '../../client/api';
import { formatDateTime } from '../../client/format';
import { driftReportSchema } from '../../server/domain/operations-view-schemas';
import type { DriftReport } from '../../server/domain/types';
import { Alert, Badge, Button, Card } from '../../ui';

export interface DriftCardProps {
  readonly suffix: string;
  /** Drift detection needs a deployed stack. */
  readonly deployed: boolean;
}

/** Runs CloudFormation drift detection on the environment's stack and shows what changed outside CDK. */
export function DriftCard({ suffix, deployed }: DriftCardProps) {
  const [report, setReport] = useState<DriftReport>();
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);

  async function detect() {
    if (running) return;
    setRunning(true);
    setError(undefined);
    try {
      setReport(
        await sendJson({
          schema: driftReportSchema,
          method: 'POST',
          url: `/api/environments/${encodeURIComponent(suffix)}/drift`,
        }),
      );
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setRunning(false);
    }
  }

  return (
    <Card
      id="drift-heading"
      title="Drift detection"
      description="Compares the live stack with its template: changes made outside the pipeline show up here."
      actions={
        <Button small onClick={detect} disabled={!deployed || running} data-testid="detect-drift">
          {running ? 'Detecting…' : 'Detect drift'}
        </Button>
      }
      testId="drift"
    >
      <div aria-live="polite">
        {error ? (
          <Alert tone="danger" role="alert" title="Drift detection failed">
            <p>{error}</p>
          </Alert>
        ) : report ? (
          <div data-testid="drift-result" data-status={report.status}>
            <p className="row">
              <Badge
                tone={
                  report.status === 'IN_SYNC' ? 'success' : report.status === 'DRIFTED' ? 'danger' : 'warning'
                }
              >
                {report.status.replace('_', ' ')}
              </Badge>
              <span className="small muted">
                checked {formatDateTime(report.detectedAt)}
                {report.simulated ? ' (local mode: simulated stack)' : ''}
              </span>
            </p>
            {report.driftedResources.length > 0 ? (
              <ul className="stack">
                {report.driftedResources.map((resource) => (
                  <li key={resource.logicalResourceId}>
                    <code>{resource.logicalResourceId}</code> ({resource.resourceType}) —{' '}
                    {resource.driftStatus}
                    {resource.differences.length > 0 ? (
                      <ul className="small">
                        {resource.differences.map((difference) => (
                          <li key={difference.propertyPath}>
                            <code>{difference.propertyPath}</code>: expected {difference.expected ?? '—'},
                            actual {difference.actual ?? '—'}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="small">Every checked resource matches its template.</p>
            )}
          </div>
        ) : (
          <p className="muted small">
            {deployed ? 'Not checked in this session.' : 'Available once the stack is deployed.'}
          </p>
        )}
      </div>
    </Card>
  );
}
