'use client';

import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../client/api';
import { formatAge, formatDateTime, formatTtlLeft } from '../../client/format';
import { useEnvironment } from '../../client/hooks';
import { applyStreamMessage, isInFlightStatus, isTerminalStatus } from '../../client/live-environment';
import { useEventStream } from '../../client/use-event-stream';
import { useNow } from '../../client/use-now';
import type { EnvironmentDetail, StreamMessage } from '../../server/domain/types';
import { Alert, Skeleton } from '../../ui';
import { CompareWithControl } from '../compare/CompareWithControl';
import { KindBadge } from '../environments/KindBadge';
import { StatusBadge } from '../environments/StatusBadge';
import { ComplianceCard } from './ComplianceCard';
import { DeploymentProgressCard } from './DeploymentProgressCard';
import { DeploymentTimeline } from './DeploymentTimeline';
import { DestroyControl } from './DestroyControl';
import { DriftCard } from './DriftCard';
import { EventLog } from './EventLog';
import { EvidenceDownload } from './EvidenceDownload';
import { OutputsCard } from './OutputsCard';
import { RetryControl } from './RetryControl';
import { SpecSummaryCard } from './SpecSummaryCard';

/** How often the detail is re-read while the live stream is down (e.g. the portal restarting). */
const FALLBACK_POLL_MS = 5000;

export interface EnvironmentDetailViewProps {
  readonly suffix: string;
}

/**
 * One environment: live progress while the platform works (server-sent
 * events applied onto the detail), then outputs, compliance, drift and the
 * destroy action when the signed-in user may use it.
 */
export function EnvironmentDetailView({ suffix }: EnvironmentDetailViewProps) {
  // Poll only while work is in flight and the live stream is not open (set below, once both are known).
  const [pollMs, setPollMs] = useState(0);
  const environment = useEnvironment(suffix, { pollMs });
  const { data, mutate } = environment;
  const latest = useRef<EnvironmentDetail | undefined>(data);
  latest.current = data;
  const [upstreamError, setUpstreamError] = useState<string>();
  const inFlight = data ? isInFlightStatus(data.status) : false;
  const now = useNow(inFlight ? 1000 : 30_000);

  const onMessage = useCallback(
    (message: StreamMessage): 'close' | undefined => {
      if (message.type === 'error') {
        setUpstreamError(
          `The platform did not answer (${message.message}); retrying in ${Math.ceil(message.retryInMs / 1000)} s.`,
        );
        return undefined;
      }
      setUpstreamError(undefined);
      const before = latest.current;
      void mutate((current) => (current ? applyStreamMessage(current, message) : current), {
        revalidate: false,
      });
      if (message.type !== 'snapshot') return undefined;
      const terminal = isTerminalStatus(message.status);
      // Outputs, the timeline and the cost come with the full detail: re-read it when they may have changed.
      if (terminal || (message.outputsAvailable && before !== undefined && before.outputs.length === 0)) {
        void mutate();
      }
      return terminal ? 'close' : undefined;
    },
    [mutate],
  );

  const connection = useEventStream({
    url: inFlight ? `/api/environments/${encodeURIComponent(suffix)}/events` : undefined,
    onMessage,
  });
  useEffect(() => {
    setPollMs(inFlight && connection !== 'open' ? FALLBACK_POLL_MS : 0);
  }, [inFlight, connection]);

  if (environment.error) {
    return (
      <>
        <nav aria-label="Breadcrumb" className="breadcrumb">
          <Link href="/">Environments</Link> / {suffix}
        </nav>
        <h1>{suffix}</h1>
        <Alert
          tone={environment.error.status === 404 ? 'warning' : 'danger'}
          role="alert"
          title={
            environment.error.status === 404 ? 'No such environment' : 'The environment could not be loaded'
          }
          testId="environment-error"
        >
          <p>
            {environment.error.status === 404
              ? `Nothing is registered as ${suffix}.`
              : errorMessage(environment.error)}
          </p>
        </Alert>
      </>
    );
  }

  if (!data) {
    return (
      <>
        <nav aria-label="Breadcrumb" className="breadcrumb">
          <Link href="/">Environments</Link> / {suffix}
        </nav>
        <h1>{suffix}</h1>
        <Skeleton label="Loading the environment" lines={5} />
      </>
    );
  }

  const destroyable =
    data.permissions.canDestroy && data.status !== 'destroying' && data.status !== 'destroyed';
  const deployed = data.status === 'ready' || (data.status === 'failed' && data.outputs.length > 0);
  const destroyed = data.status === 'destroyed';

  return (
    <div data-testid="environment-detail" data-status={data.status}>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/">Environments</Link> / {suffix}
      </nav>
      <div className="page-header">
        <div>
          <div className="row">
            <h1 className="detail-title">{data.environmentSuffix}</h1>
            <StatusBadge status={data.status} testId="environment-status" />
            <KindBadge kind={data.kind} />
            {data.simulated ? <span className="small muted">(local simulation)</span> : null}
          </div>
          <p>
            Owner <strong>{data.owner}</strong> · project {data.project} · cost center {data.costCenter} ·
            created{' '}
            <time dateTime={data.createdAt} title={formatDateTime(data.createdAt)}>
              {formatAge({ createdAt: data.createdAt, now })} ago
            </time>
            {destroyed ? (
              <>
                {' '}
                · destroyed{' '}
                <time dateTime={data.updatedAt} data-testid="destroyed-at">
                  {formatDateTime(data.updatedAt)}
                </time>
              </>
            ) : data.expiresAt ? (
              <>
                {' '}
                · TTL left{' '}
                <time dateTime={data.expiresAt} title={formatDateTime(data.expiresAt)} data-testid="ttl-left">
                  {formatTtlLeft({ expiresAt: data.expiresAt, now })}
                </time>
              </>
            ) : null}
          </p>
        </div>
        <div className="stack">
          {data.permissions.canRetry ? (
            <RetryControl
              suffix={suffix}
              onRetrying={(detail) => void mutate(detail, { revalidate: false })}
            />
          ) : null}
          {data.links ? (
            <p className="row small" data-testid="console-links">
              <a href={data.links.stack} target="_blank" rel="noreferrer noopener">
                Stack in the CloudFormation console
              </a>
              <a href={data.links.pipelineExecutions} target="_blank" rel="noreferrer noopener">
                Pipeline executions
              </a>
            </p>
          ) : null}
          {destroyed ? null : <CompareWithControl suffix={suffix} />}
          {destroyable ? (
            <DestroyControl
              suffix={suffix}
              onDestroying={(detail) => void mutate(detail, { revalidate: false })}
            />
          ) : data.permissions.destroyBlockedReason && data.status !== 'destroyed' ? (
            <p className="small muted" data-testid="destroy-blocked-reason">
              {data.permissions.destroyBlockedReason}
            </p>
          ) : null}
        </div>
      </div>

      {destroyed ? (
        <>
          <Alert tone="info" title="This environment is destroyed" testId="destroyed-summary">
            <p>
              Its stack and every resource in it were deleted{' '}
              {data.statusReason ? `(${data.statusReason})` : ''}. Nothing of it runs or costs money any more;
              the suffix <code>{data.environmentSuffix}</code> can be requested again. Who did what is in the{' '}
              <Link href={`/audit?q=${encodeURIComponent(data.environmentSuffix)}`}>audit log</Link>.
            </p>
          </Alert>
          <DeploymentProgressCard
            status={data.status}
            statusReason={data.statusReason}
            progress={data.progress}
            failure={data.failure}
            connection={connection}
          />
          <SpecSummaryCard detail={data} />
          <EventLog events={data.events} simulated={data.simulated} />
        </>
      ) : (
        <>
          <DeploymentProgressCard
            status={data.status}
            statusReason={data.statusReason}
            progress={data.progress}
            failure={data.failure}
            connection={connection}
            upstreamError={upstreamError}
          />

          <OutputsCard
            suffix={suffix}
            outputs={data.outputs}
            {...(data.outputsWarning === undefined ? {} : { warning: data.outputsWarning })}
            simulated={data.simulated}
          />
          <SpecSummaryCard detail={data} />

          <DeploymentTimeline timeline={data.timeline} now={now} live={inFlight} />
          <EventLog events={data.events} simulated={data.simulated} />
          <ComplianceCard suffix={suffix} statusKey={data.status} />
          {data.status === 'ready' ? <EvidenceDownload suffix={suffix} /> : null}
          <DriftCard suffix={suffix} deployed={deployed} />
        </>
      )}
    </div>
  );
}
