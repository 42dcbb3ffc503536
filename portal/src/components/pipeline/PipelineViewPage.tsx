'use client';

import { errorMessage } from '../../client/api';
import { formatDateTime } from '../../client/format';
import { usePipeline } from '../../client/hooks';
import type { PipelineStatus, PipelineView } from '../../server/domain/types';
import { Alert, Badge, type BadgeTone, Card, Skeleton } from '../../ui';
import { PromotionCard } from './PromotionCard';

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
          <PipelineCard
            id="execution-heading"
            testId="pipeline"
            description="Release pipeline: staging, the PromoteToProd approval, prod."
            view={data}
            simulated={data.simulated}
          />
          {data.environmentsPipeline ? (
            <PipelineCard
              id="environments-pipeline-heading"
              testId="environments-pipeline"
              description="Environments pipeline: every registry write runs it; it updates itself (and the release pipeline), then deploys the ephemeral environments wave by wave."
              view={data.environmentsPipeline}
              simulated={data.simulated}
            />
          ) : null}
        </>
      ) : pipeline.error ? null : (
        <Skeleton label="Loading the pipeline" lines={5} />
      )}
    </>
  );
}

interface PipelineCardProps {
  readonly id: string;
  readonly testId: string;
  readonly description: string;
  readonly view: Pick<PipelineView, 'pipelineName' | 'stages' | 'currentExecution'>;
  readonly simulated: boolean;
}

/** One pipeline: its current execution and its stages left to right, each with its actions. */
function PipelineCard({ id, testId, description, view, simulated }: PipelineCardProps) {
  return (
    <Card
      id={id}
      title={view.pipelineName}
      description={`${description} ${simulated ? 'Local mode: played on this machine.' : 'AWS CodePipeline.'}`}
      actions={
        view.currentExecution ? (
          <span className="row small">
            Execution{' '}
            {view.currentExecution.consoleUrl ? (
              <a href={view.currentExecution.consoleUrl} target="_blank" rel="noreferrer noopener">
                <code>{view.currentExecution.executionId}</code>
              </a>
            ) : (
              <code>{view.currentExecution.executionId}</code>
            )}
            <PipelineStatusBadge status={view.currentExecution.status} />
          </span>
        ) : (
          <span className="small muted">No execution yet</span>
        )
      }
      testId={testId}
    >
      {view.currentExecution?.startedAt ? (
        <p className="small muted">
          Started{' '}
          <time dateTime={view.currentExecution.startedAt}>
            {formatDateTime(view.currentExecution.startedAt)}
          </time>
          {view.currentExecution.trigger ? ` · ${view.currentExecution.trigger}` : ''}
          {view.currentExecution.summary ? ` · ${view.currentExecution.summary}` : ''}
        </p>
      ) : null}
      <p className="visually-hidden">Stages run left to right.</p>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the row of stages scrolls sideways; keyboard users must reach it. */}
      <ol className="stages" aria-label={`${view.pipelineName} stages, in the order they run`} tabIndex={0}>
        {view.stages.map((stage) => (
          <li
            key={stage.name}
            className="stage"
            data-testid={`${testId}-stage-${stage.name}`}
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
                  {action.lastChangedAt && action.status !== 'NotStarted' ? (
                    <time className="small muted" dateTime={action.lastChangedAt}>
                      {formatDateTime(action.lastChangedAt)}
                    </time>
                  ) : null}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </Card>
  );
}
