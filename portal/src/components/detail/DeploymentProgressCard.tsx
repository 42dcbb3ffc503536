'use client';

import type { StreamConnection } from '../../client/use-event-stream';
import type {
  DeploymentFailure,
  DeploymentPhase,
  DeploymentProgress,
  EnvironmentStatus,
} from '../../server/domain/types';
import { Alert, Badge, Card, ProgressBar } from '../../ui';

const DEPLOY_STEPS = [
  { key: 'queued', label: 'Queued' },
  { key: 'synthesizing', label: 'Synthesizing' },
  { key: 'deploying', label: 'Deploying' },
  { key: 'complete', label: 'Ready' },
] as const;

const DESTROY_STEPS = [
  { key: 'destroying', label: 'Destroying' },
  { key: 'destroyed', label: 'Destroyed' },
] as const;

const PHASE_LABEL: Record<DeploymentPhase, string> = {
  queued: 'Queued in the pipeline',
  synthesizing: 'Synthesizing the stage and running cdk-nag',
  deploying: 'Deploying the stack',
  complete: 'Deployment complete',
  'rolling-back': 'Rolling back',
  failed: 'Deployment failed',
  destroying: 'Deleting the stack',
  destroyed: 'Stack deleted',
};

type StepState = 'done' | 'current' | 'todo' | 'failed';

/** Where each step of the stepper stands for the current phase. */
function stepStates(progress: DeploymentProgress): { key: string; label: string; state: StepState }[] {
  const { phase } = progress;
  if (phase === 'destroying' || phase === 'destroyed') {
    return DESTROY_STEPS.map((step, index) => ({
      ...step,
      state: phase === 'destroyed' ? 'done' : index === 0 ? 'current' : 'todo',
    }));
  }
  // A failure before the template existed (no resource count yet) is a synth failure.
  const failed = phase === 'failed' || phase === 'rolling-back';
  const failedAt = failed ? (progress.resourcesTotal === 0 ? 'synthesizing' : 'deploying') : undefined;
  const currentKey = failedAt ?? phase;
  const currentIndex = DEPLOY_STEPS.findIndex((step) => step.key === currentKey);
  return DEPLOY_STEPS.map((step, index) => ({
    ...step,
    state:
      phase === 'complete' || index < currentIndex
        ? 'done'
        : index === currentIndex
          ? failedAt
            ? 'failed'
            : 'current'
          : 'todo',
  }));
}

export interface DeploymentProgressCardProps {
  readonly status: EnvironmentStatus;
  readonly statusReason?: string;
  readonly progress: DeploymentProgress;
  readonly failure?: DeploymentFailure;
  readonly connection: StreamConnection;
  /** The server's upstream poll failed; it retries by itself. */
  readonly upstreamError?: string;
}

/** The live progress bar: pipeline phase, then resources done of total. */
export function DeploymentProgressCard({
  status,
  statusReason,
  progress,
  failure,
  connection,
  upstreamError,
}: DeploymentProgressCardProps) {
  const steps = stepStates(progress);
  const destroying = progress.phase === 'destroying' || progress.phase === 'destroyed';
  const valueText =
    progress.resourcesTotal > 0
      ? `${progress.resourcesDone} of ${progress.resourcesTotal} resources ${destroying ? 'deleted' : 'created'}`
      : progress.phase === 'synthesizing'
        ? 'Synthesizing: the resource count is known once the template exists'
        : PHASE_LABEL[progress.phase];
  const tone =
    status === 'failed' ? 'danger' : status === 'ready' || status === 'destroyed' ? 'success' : 'info';
  return (
    <Card
      id="progress-heading"
      title="Deployment"
      description={PHASE_LABEL[progress.phase]}
      actions={<ConnectionBadge connection={connection} />}
      testId="deployment-progress"
    >
      <ol
        className="phases"
        aria-label="Pipeline phases"
        data-testid="deployment-phases"
        data-phase={progress.phase}
      >
        {steps.map((step) => (
          <li
            key={step.key}
            data-state={step.state}
            aria-current={step.state === 'current' ? 'step' : undefined}
          >
            {step.label}
            <span className="visually-hidden">
              {step.state === 'done' ? ' (done)' : step.state === 'failed' ? ' (failed)' : ''}
            </span>
          </li>
        ))}
      </ol>
      <ProgressBar
        label={destroying ? 'Teardown progress' : 'Deployment progress'}
        value={progress.resourcesTotal > 0 ? progress.resourcesDone : progress.percent}
        max={progress.resourcesTotal > 0 ? progress.resourcesTotal : 100}
        valueText={valueText}
        tone={tone}
        testId="deployment-progress-bar"
      />
      <p className="visually-hidden" aria-live="polite" data-testid="deployment-phase-announcement">
        {PHASE_LABEL[progress.phase]}
      </p>
      {failure ? (
        <div className="spaced-top">
          <Alert tone="danger" role="alert" title="Deployment failed" testId="deployment-failure">
            <p>
              <code data-testid="deployment-failure-resource">{failure.logicalResourceId}</code> (
              {failure.resourceType}) failed:{' '}
              <span data-testid="deployment-failure-reason">{failure.reason}</span>
            </p>
          </Alert>
        </div>
      ) : statusReason && status === 'failed' ? (
        <div className="spaced-top">
          <Alert tone="danger" role="alert" title="Deployment failed" testId="deployment-failure">
            <p data-testid="deployment-failure-reason">{statusReason}</p>
          </Alert>
        </div>
      ) : null}
      {upstreamError ? (
        <p className="small muted" role="status">
          {upstreamError}
        </p>
      ) : null}
    </Card>
  );
}

function ConnectionBadge({ connection }: { readonly connection: StreamConnection }) {
  switch (connection) {
    case 'open':
      return (
        <span data-testid="stream-state" data-state="open">
          <Badge tone="success" live>
            Live
          </Badge>
        </span>
      );
    case 'connecting':
    case 'reconnecting':
      return (
        <span data-testid="stream-state" data-state={connection}>
          <Badge tone="warning" live>
            {connection === 'connecting' ? 'Connecting' : 'Reconnecting'}
          </Badge>
        </span>
      );
    default:
      return null;
  }
}
