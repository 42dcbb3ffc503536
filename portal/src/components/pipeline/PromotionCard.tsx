'use client';

import { SepApiError } from '@sep/client/api-error';
import { useId, useState } from 'react';
import { errorMessage, sendJson } from '../../client/api';
import { formatDateTime } from '../../client/format';
import { usePromotionPreview } from '../../client/hooks';
import { pipelineViewSchema } from '../../server/domain/operations-view-schemas';
import type { PendingPromotion, PipelineView, PromotionDecisionRequest } from '../../server/domain/types';
import { Alert, Badge, Button, Card, ConfirmDialog, Field } from '../../ui';
import { PromotionPreviewPanel } from './PromotionPreviewPanel';

/** The server's minimum (promotions.ts `MIN_CONFIRMATION_REASON`), checked here to say so before sending. */
const MIN_REASON = 10;

interface NoteFieldProps {
  readonly id: string;
  readonly label: string;
  /** What is asked of the text, beside the label. */
  readonly note: string;
  readonly maxLength: number;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly testId: string;
}

/** A short free-text note kept with the decision (its comment, a flagged approval's reason). */
function NoteField({ id, label, note, maxLength, value, onChange, testId }: NoteFieldProps) {
  return (
    <Field
      id={id}
      label={
        <>
          {label} <span className="field__optional">({note})</span>
        </>
      }
    >
      {(control) => (
        <textarea
          {...control}
          className="textarea"
          rows={2}
          maxLength={maxLength}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          data-testid={testId}
        />
      )}
    </Field>
  );
}

interface PromotionCardProps {
  readonly pipeline: PipelineView;
  readonly onDecided: (view: PipelineView) => void;
}

/** Why a decision was refused, in the words of the person who tried. */
function refusalMessage(error: unknown): string {
  if (error instanceof SepApiError) {
    if (error.code === 'forbidden') return `You may not decide promotions: ${error.message}.`;
    if (error.code === 'conflict')
      return `Nothing was decided: ${error.message}. Another approver may have decided it first, or the execution moved on; the page shows the current state.`;
  }
  return errorMessage(error);
}

/** What an approval promotes: the execution, its source, the prod environments and who started it. */
function PromotionSummary({ pending }: { readonly pending: PendingPromotion }) {
  return (
    <dl className="kv promotion-summary" data-testid="promotion-summary">
      <dt>Execution</dt>
      <dd>
        <code data-testid="promotion-execution">{pending.executionId}</code>
      </dd>
      <dt>Source revision</dt>
      <dd>
        {pending.sourceRevision ? (
          <code data-testid="promotion-revision">{pending.sourceRevision}</code>
        ) : (
          <span className="muted">not reported by the pipeline</span>
        )}
      </dd>
      <dt>Deploys to prod</dt>
      <dd data-testid="promotion-environments">
        {pending.environments && pending.environments.length > 0 ? (
          pending.environments.map((suffix) => (
            <code key={suffix} className="spaced-right">
              {suffix}
            </code>
          ))
        ) : (
          <span className="muted">no prod environment is registered</span>
        )}
      </dd>
      <dt>Requested by</dt>
      <dd data-testid="promotion-requested-by">
        {pending.requestedBy ?? <span className="muted">not reported by the pipeline</span>}
      </dd>
      <dt>Waiting since</dt>
      <dd>
        <time dateTime={pending.requestedAt}>{formatDateTime(pending.requestedAt)}</time>
      </dd>
    </dl>
  );
}

/** The prod promotion waiting at PromoteToProd: what it promotes, its preview, and the decision. */
export function PromotionCard({ pipeline, onDecided }: PromotionCardProps) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<PromotionDecisionRequest['decision']>();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();
  const [outcome, setOutcome] = useState<string>();
  const [reason, setReason] = useState('');
  const commentId = useId();
  const reasonId = useId();
  const pending = pipeline.pendingPromotion;
  const preview = usePromotionPreview(pending?.executionId, pipeline.canDecide);
  // The preview of another execution than the one on screen is not the context of this decision.
  const shown = preview.data?.executionId === pending?.executionId ? preview.data : undefined;
  const flagged = shown?.flagged === true;
  const rejected = pipeline.stages
    .flatMap((stage) => stage.actions)
    .find((action) => action.name === 'PromoteToProd' && action.status === 'Failed');

  async function decide(decision: PromotionDecisionRequest['decision']) {
    if (busy) return;
    setBusy(decision);
    setError(undefined);
    try {
      if (pending === undefined) return;
      if (decision === 'approve' && flagged && reason.trim().length < MIN_REASON) {
        setError(`Give a reason of at least ${MIN_REASON} characters: this promotion is flagged.`);
        return;
      }
      // The decision names the execution on screen: the API refuses it if another one waits by now.
      // A flagged preview's phrase is sent only once typed (the dialog enables its button on a match).
      const body: PromotionDecisionRequest = {
        executionId: pending.executionId,
        decision,
        comment: comment.trim(),
        ...(decision === 'approve' && flagged && shown
          ? { confirmation: shown.confirmationPhrase, reason: reason.trim() }
          : {}),
      };
      const view = await sendJson({
        schema: pipelineViewSchema,
        method: 'POST',
        url: '/api/pipeline/promotion',
        body,
      });
      setOutcome(
        decision === 'approve' ? 'Approved: prod is deploying.' : 'Rejected: prod keeps its current release.',
      );
      setComment('');
      setReason('');
      setConfirming(false);
      onDecided(view);
    } catch (caught) {
      setError(refusalMessage(caught));
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
      {error && !confirming ? (
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
            </strong>
          </p>
          <PromotionSummary pending={pending} />
          {pipeline.canDecide ? (
            <>
              {shown ? (
                <PromotionPreviewPanel preview={shown} />
              ) : preview.error ? (
                <p className="muted" data-testid="promotion-preview-error">
                  No preview: {preview.error.message}. The approval works without it.
                </p>
              ) : (
                <p className="muted" data-testid="promotion-preview-loading">
                  Computing what this promotion changes in prod…
                </p>
              )}
              <NoteField
                id={commentId}
                label="Comment"
                note="optional, kept in the approval history"
                maxLength={500}
                value={comment}
                onChange={setComment}
                testId="promotion-comment"
              />
              <div className="form-actions">
                <Button
                  variant="primary"
                  onClick={() => {
                    setError(undefined);
                    setConfirming(true);
                  }}
                  disabled={busy !== undefined}
                  data-testid="approve-promotion"
                >
                  Approve and deploy to prod…
                </Button>
                <Button
                  onClick={() => decide('reject')}
                  disabled={busy !== undefined}
                  data-testid="reject-promotion"
                >
                  {busy === 'reject' ? 'Rejecting…' : 'Reject'}
                </Button>
              </div>
              <ConfirmDialog
                open={confirming}
                title="Deploy this execution to prod?"
                confirmLabel="Approve and deploy"
                confirmVariant="primary"
                busy={busy === 'approve'}
                error={error}
                {...(flagged && shown ? { confirmText: shown.confirmationPhrase } : {})}
                onConfirm={() => void decide('approve')}
                onCancel={() => setConfirming(false)}
                testId="approve-dialog"
              >
                <p>
                  Approving lets the pipeline deploy the following to prod. It is recorded in the audit log.
                </p>
                <PromotionSummary pending={pending} />
                {flagged && shown ? (
                  <>
                    <Alert tone="danger" title="This promotion is flagged" testId="approve-dialog-flags">
                      <ul>
                        {shown.flags.map((flag) => (
                          <li key={flag}>{flag}</li>
                        ))}
                      </ul>
                    </Alert>
                    <NoteField
                      id={reasonId}
                      label="Reason"
                      note={`at least ${MIN_REASON} characters, audited`}
                      maxLength={1000}
                      value={reason}
                      onChange={setReason}
                      testId="promotion-reason"
                    />
                  </>
                ) : null}
                {comment.trim() ? (
                  <p className="small">
                    Your comment: <q>{comment.trim()}</q>
                  </p>
                ) : null}
              </ConfirmDialog>
            </>
          ) : (
            <p className="muted" data-testid="promotion-not-allowed">
              Only approvers and admins can approve or reject a promotion to prod.
            </p>
          )}
        </div>
      ) : rejected ? (
        <Alert tone="warning" title="The last promotion was rejected" testId="promotion-rejected">
          <p>
            {rejected.summary ?? 'Rejected'}
            {rejected.lastChangedAt ? ` (${formatDateTime(rejected.lastChangedAt)})` : ''}. Prod keeps its
            current release; the next execution that deploys staging asks again.
          </p>
        </Alert>
      ) : (
        <p className="muted" data-testid="no-pending-promotion">
          No promotion is waiting. One appears when an execution has deployed staging.
        </p>
      )}
    </Card>
  );
}
