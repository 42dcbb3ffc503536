import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CodePipelineClient,
  GetPipelineStateCommand,
  type GetPipelineStateCommandOutput,
} from '@aws-sdk/client-codepipeline';
import { S3Client } from '@aws-sdk/client-s3';
import type { EnvironmentRecord, EnvironmentRegistry } from '@sep/registry';
import { TargetAccess } from '@sep/registry/target-access';
import type { BackoffOptions } from '@sep/registry/teardown';
import { NoPendingPromotionError, StalePromotionError, UpstreamError } from '../port';

export interface AwsPlatformOptions {
  /** The pipeline account's region (its CodePipeline, S3 and STS calls). */
  readonly region?: string;
  /** The environments pipeline (requests and teardowns start it; ephemeral progress). */
  readonly pipelineName: string;
  /** The release pipeline (staging, PromoteToProd, prod). */
  readonly releasePipelineName: string;
  /** The ManualApprovalStep's action name. */
  readonly approvalActionName: string;
  /** The pipeline account: where an environment whose spec names no account lives. */
  readonly defaultAccount: string;
  /**
   * Pipeline-account clients. Injected in tests; built with adaptive retry otherwise (endpoints honour
   * `AWS_ENDPOINT_URL_*`).
   */
  readonly clients?: {
    readonly codePipeline: CodePipelineClient;
    readonly s3?: S3Client;
  };
  /**
   * Clients in each environment's account and region, as its platform-access role (CloudFormation and
   * AWS Config have no resource policies: nothing in another account is readable from here).
   * @default a TargetAccess assuming `sep-account-<region>-platform`, session `sep-portal`
   */
  readonly targets?: TargetAccess;
  /**
   * The pipeline stack's compliance-reports bucket (`ComplianceReportsBucketName` output), where the
   * synth publishes each stage's cdk-nag report as `nag-reports/<suffix>.json`.
   * @default none: the static half of compliance says the bucket is not configured
   */
  readonly complianceReportsBucket?: string;
  /** Drift detection poll period. @default 2000 (what the CDK CLI uses for stack events) */
  readonly driftPollMs?: number;
  /** @default 90_000 */
  readonly driftTimeoutMs?: number;
  /** The registry the teardown claims, fails and removes entries in: the portal's own (cached) one. */
  readonly registry: EnvironmentRegistry;
  /**
   * How long one teardown step (the destroy request, then each poll of a `destroying` environment)
   * waits on CloudFormation before leaving the rest to the next poll.
   * @default 0: issue the deletes, read the stack once, return
   */
  readonly teardownStepMs?: number;
  /** Injected in tests (with `teardownStepMs`). */
  readonly teardownBackoff?: BackoffOptions;
  /**
   * How long one GetPipelineState answer serves every environment's poll: one pipeline read per
   * interval however many environments are watched. @default 2000
   */
  readonly pipelineStateMaxAgeMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * What the aws services share: the pipeline-account clients, the per-target clients, one clock, one
 * GetPipelineState cache (one pipeline read per interval however many environments are watched), and
 * one error idiom: an SDK call that still fails after the SDK's own retries is an `UpstreamError`.
 */
export class AwsContext {
  readonly codePipeline: CodePipelineClient;
  readonly s3: S3Client;
  readonly targets: TargetAccess;
  readonly clock: () => number;
  private readonly pipelineStates = new Map<
    string,
    { readonly at: number; readonly state: Promise<GetPipelineStateCommandOutput> }
  >();

  constructor(readonly options: AwsPlatformOptions) {
    const common = {
      ...(options.region ? { region: options.region } : {}),
      retryMode: 'adaptive',
      maxAttempts: 6,
    };
    this.codePipeline = options.clients?.codePipeline ?? new CodePipelineClient(common);
    this.s3 = options.clients?.s3 ?? new S3Client(common);
    this.targets =
      options.targets ??
      new TargetAccess({
        defaultAccount: options.defaultAccount,
        sessionName: 'sep-portal',
        ...(options.region ? { stsRegion: options.region } : {}),
      });
    this.clock = options.clock ?? Date.now;
  }

  /** The environment's stack client: its account and region, as the platform-access role there. */
  cloudFormation(record: EnvironmentRecord): CloudFormationClient {
    return this.targets.client(CloudFormationClient, record.spec);
  }

  whereOf(record: EnvironmentRecord): string {
    const location = this.targets.locate(record.spec);
    return `${location.account}/${location.region}`;
  }

  /** GetPipelineState, shared by every poll for `pipelineStateMaxAgeMs` (concurrent readers share one call). */
  pipelineState(name: string): Promise<GetPipelineStateCommandOutput> {
    const cached = this.pipelineStates.get(name);
    if (cached !== undefined && this.clock() - cached.at < (this.options.pipelineStateMaxAgeMs ?? 2000)) {
      return cached.state;
    }
    return this.freshPipelineState(name);
  }

  freshPipelineState(name: string): Promise<GetPipelineStateCommandOutput> {
    const state = this.call(() => this.codePipeline.send(new GetPipelineStateCommand({ name })));
    this.pipelineStates.set(name, { at: this.clock(), state });
    state.catch(() => this.pipelineStates.delete(name));
    return state;
  }

  /** Forgets the cached state of pipeline `name` (after a decision changed it). */
  forgetPipelineState(name: string): void {
    this.pipelineStates.delete(name);
  }

  /** SDK calls already retry (adaptive mode); what still fails is reported as upstream trouble. */
  async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw upstreamError(error);
    }
  }

  close(): void {
    this.codePipeline.destroy();
    this.s3.destroy();
    this.targets.destroy();
  }
}

export function upstreamError(error: unknown): Error {
  if (!(error instanceof Error)) return new UpstreamError(String(error));
  if (
    error instanceof UpstreamError ||
    error instanceof NoPendingPromotionError ||
    error instanceof StalePromotionError
  )
    return error;
  return new UpstreamError(`${error.name}: ${error.message}`);
}
