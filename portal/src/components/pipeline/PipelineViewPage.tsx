'use client';

import { useId, useState } from 'react';
import { errorMessage, sendJson } from '../../client/api';
import { formatDateTime } from '../../client/format';
import { usePipeline } from '../../client/hooks';
import type { PipelineStatus, PipelineView, PromotionDecisionRequest } from '../../server/domain/types';
import { Alert, Badge, type BadgeTone, Button, Card, Skeleton } from '../../ui';

const STATUS_TONE: Record<PipelineStatus, BadgeTone> = {
  InProgress: 'info',
  Succeeded: 'success',
  Failed: 'danger',
  Stopped: 'warning',
  Superseded: 'neutral',
  Cancelled: 'neutral',
  NotStarted: 'neutral',
};

function PipelineStatusBadge({ status }: { readonly status: PipelineStatus }) {
  return (
    <span data-status={status}>
      <Badge tone={STATUS_TONE[status]} live={status === 'InProgress'}>
        {status === 'InProgress' ? 'In progress' : status === 'NotStarted' ? 'Not started' : status}
      </Badge>
    </span>
  );
}

/** The delivery pipeline: stages, the current execution and the prod promotion waiting for a decision. */
export function PipelineViewPage() {
  const pipeline = usePipeline();
  const data = pipeline.data;
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Pipeline</h1>
          <p>
            Ephemeral environments and staging deploy on every execution; prod waits for an approver at{' '}
            <strong>PromoteToProd</strong>.
          </p>
        </div>
      </div>
      {pipeline.error ? (
        <Alert tone="danger" role="alert" title="The pipeline could not be read">
          <p>{errorMessage(pipeline.error)}</p>
        </Alert>
      ) : null}
      {data ? (
        <>
          <PromotionCard
            pipeline={data}
            onDecided={(view) => void pipeline.mutate(view, { revalidate: true })}
          />
          <Card
            id="execution-heading"
            title={data.pipelineName}
            description={
              data.simulated ? 'Local mode: the pipeline is simulated on this machine.' : 'AWS CodePipeline'
            }
            actions={
              data.currentExecution ? (
                <span className="row small">
                  Execution <code>{data.currentExecution.executionId}</code>
                  <PipelineStatusBadge status={data.currentExecution.status} />
                </span>
              ) : (
                <span className="small muted">No execution yet</span>
              )
            }
            testId="pipeline"
          >
            {data.currentExecution?.startedAt ? (
              <p className="small muted">Started {formatDateTime(data.currentExecution.startedAt)}</p>
            ) : null}
            <ol className="stages" aria-label="Pipeline stages">
              {data.stages.map((stage) => (
                <li
                  key={stage.name}
                  className="stage"
                  data-testid={`pipeline-stage-${stage.name}`}
                  data-status={stage.status}
                >
                  <div className="stage__header">
                    <h3>{stage.name}</h3>
                    <PipelineStatusBadge status={stage.status} />
                  </div>
                  <ul className="stage__actions">
                    {stage.actions.map((action) => (
                      <li key={action.name}>
                        <span className="stage__action-name">{action.name}</span>
                        <PipelineStatusBadge status={action.status} />
                        {action.summary ? <span className="small muted">{action.summary}</span> : null}
                        {action.lastChangedAt ? (
                          <span className="small muted">{formatDateTime(action.lastChangedAt)}</span>
                        ) : null}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ol>
          </Card>
        </>
      ) : pipeline.error ? null : (
        <Skeleton label="Loading the pipeline" lines={5} />
      )}
    </>
  );
}

interface PromotionCardProps {
  readonly pipeline: PipelineView;
  readonly onDecided: (view: PipelineView) => void;
}

function PromotionCard({ pipeline, onDecided }: PromotionCardProps) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<PromotionDecisionRequest['decision']>();
  const [error, setError] = useState<string>();
  const [outcome, setOutcome] = useState<string>();
  const commentId = useId();
  const pending = pipeline.pendingPromotion;

  async function decide(decision: PromotionDecisionRequest['decision']) {
    if (busy) return;
    setBusy(decision);
    setError(undefined);
    try {
      if (pending === undefined) return;
      // The decision names the execution on screen: the API refuses it if another one waits by now.
      const body: PromotionDecisionRequest = {
        executionId: pending.executionId,
        decision,
        comment: comment.trim(),
      };
      const view = await sendJson<PipelineView>({ method: 'POST', url: '/api/pipeline/promotion', body });
      setOutcome(
        decision === 'approve' ? 'Approved: prod is deploying.' : 'Rejected: prod keeps its current release.',
      );
      setComment('');
      onDecided(view);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <Card
      id="promotion-heading"
      title="Promotion to prod"
      description="A manual approval between staging and prod: approvers and admins decide."
      testId="promotion"
    >
      {outcome ? (
        <Alert tone="success" testId="promotion-outcome">
          <p>{outcome}</p>
        </Alert>
      ) : null}
      {error ? (
        <Alert tone="danger" role="alert" title="The decision was not recorded" testId="promotion-error">
          <p>{error}</p>
        </Alert>
      ) : null}
      {pending ? (
        <div data-testid="pending-promotion">
          <p>
            <Badge tone="warning" live>
              Waiting for approval
            </Badge>{' '}
            <strong>
              {pending.stageName} / {pending.actionName}
            </strong>{' '}
            since {formatDateTime(pending.requestedAt)} (execution <code>{pending.executionId}</code>).
          </p>
          {pipeline.canDecide ? (
            <>
              <div className="field">
                <label className="field__label" htmlFor={commentId}>
                  Comment <span className="field__optional">(optional, kept in the approval history)</span>
                </label>
                <textarea
                  id={commentId}
                  className="textarea"
                  rows={2}
                  maxLength={500}
                  value={comment}
                  onChange={(event) => setComment(event.target.value)}
                  data-testid="promotion-comment"
                />
              </div>
              <div className="form-actions">
                <Button
                  variant="primary"
                  onClick={() => decide('approve')}
                  disabled={busy !== undefined}
                  data-testid="approve-promotion"
                >
                  {busy === 'approve' ? 'Approving…' : 'Approve and deploy to prod'}
                </Button>
                <Button
                  onClick={() => decide('reject')}
                  disabled={busy !== undefined}
                  data-testid="reject-promotion"
                >
                  {busy === 'reject' ? 'Rejecting…' : 'Reject'}
                </Button>
              </div>
            </>
          ) : (
            <p className="muted" data-testid="promotion-not-allowed">
              Only approvers and admins can approve or reject a promotion to prod.
            </p>
          )}
        </div>
      ) : (
        <p className="muted" data-testid="no-pending-promotion">
          No promotion is waiting. One appears when an execution has deployed staging.
        </p>
      )}
    </Card>
  );
}
