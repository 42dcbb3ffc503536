import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { type PipelineDefinition, synthCommands } from '@sep/pipeline/definition';
import {
  LOCAL_CREDENTIALS,
  type LocalApi,
  type LocalApiKey,
  type LocalAwsEndpoints,
  type LocalS3,
  startLocalAwsEndpoints,
  startLocalS3,
} from '@sep/pipeline/local-aws';
import { runSynthStep, snapshotSource, sourceFingerprint } from '@sep/pipeline/rehearsal';
import type { EnvironmentRecord, EnvironmentRegistry } from '@sep/registry';
import { PROMOTION_ACTION_NAME } from '@sep/registry/names';
import { physicalName } from '@sep/spec';
import type {
  ComplianceReport,
  DeploymentPhase,
  DriftReport,
  PipelineStageView,
  PipelineStatus,
  PipelineView,
} from '../../domain/types';
import { logger } from '../../logger';
import {
  type DeploymentSnapshot,
  type EnvironmentTarget,
  NoPendingPromotionError,
  NotDeployedError,
  type PlatformPort,
  type PromotionDecision,
  StalePromotionError,
} from '../port';
import { readPublishedNagReport } from '../published-nag-report';
import { deployedApis } from './api-model';
import {
  type ActionRun,
  type ActionWork,
  type BuildRecord,
  buildCacheKey,
  type ExecutionOrigin,
  type ExecutionRun,
  NO_CHANGE_SECONDS,
  type PipelineState,
} from './pipeline-player';
import { LocalPipelines } from './pipelines';
import { LocalStacks, type StackAddress, type StackView } from './stacks';
import { TemplateResolver } from './template';

/** A spec whose `project` contains `fail=<ResourceType>` fails on that type (local failure injection). */
const FAIL_MARKER = /fail=([A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+)/;
/** The compliance-reports bucket of the local pipeline (what `ComplianceReportsBucketName` is in AWS). */
export const LOCAL_COMPLIANCE_BUCKET = 'sep-local-compliance-reports';
/** Bound of the per-environment snapshot memo: above any registry a portal serves. */
const MAX_SNAPSHOTS = 5000;

/** Where an environment stands in the pipeline since it was last provisioned. */
type Position =
  | { readonly kind: 'none' }
  | { readonly kind: 'waiting'; readonly phase: 'queued' | 'synthesizing' }
  | { readonly kind: 'failed-before-deploy'; readonly where: string; readonly reason: string }
  | { readonly kind: 'deploy'; readonly smoke?: ActionRun; readonly deployFailure?: string };

/** CodeBuild's smoke action gives up after this long. */
const SMOKE_TIMEOUT_MS = 120_000;

export interface LocalPlatformOptions {
  /** The registry the local pipeline's synth step exports (the portal's own). */
  readonly registry: EnvironmentRegistry;
  /** Where the synth step's export reads the registry: the local DynamoDB endpoint and table. */
  readonly registryStore: { readonly endpoint: string; readonly tableName: string };
  /** `<data>/platform`: the pipeline, its runs, the stacks, the local S3. */
  readonly dataDir: string;
  /** The repository the local Source action hands to the Build (the working tree). */
  readonly repoRoot: string;
  /** @default 10 */
  readonly speedFactor?: number;
  /** Every create fails on the first resource of this type. */
  readonly failResourceType?: string;
  /**
   * Every create waits before the first resource of this type starts, while this option is set (tests
   * that must act at a known point of a deployment). The wait is written into the persisted plan, so a
   * portal started without the option resumes the rollout from there.
   */
  readonly holdBeforeResourceType?: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** Told whenever the pipeline moved (the live hub re-reads instead of waiting for its next poll). */
  readonly onChange?: () => void;
}

/**
 * The local delivery platform plays the pipeline that was actually synthesized. Each run exports the
 * registry and synthesizes the pipeline app with the synth step's own commands (read from the deployed
 * pipeline's buildspec, run against local DynamoDB and S3), and the player runs the synthesized
 * CodePipeline's stages and actions: each CloudFormation action's stack is played from its own
 * template's resource graph, the approval waits for the approval call, and each smoke action runs the
 * bundled smoke script against the environment's API as the local endpoints serve it. An environment's
 * progress is its place in that run and its stack's state.
 */
export class LocalPlatform implements PlatformPort {
  readonly mode = 'local' as const;
  readonly simulated = true;
  private readonly stacks: LocalStacks;
  private readonly pipelines: LocalPipelines;
  private readonly speedFactor: number;
  private readonly clock: () => Date;
  private readonly apis = new Map<string, LocalApi>();
  private readonly apiKeys = new Map<string, LocalApiKey>();
  private services: Promise<{ s3: LocalS3; endpoints: LocalAwsEndpoints; s3Client: S3Client }> | undefined;
  private bootstrapping: Promise<void> | undefined;
  /** Why the pipeline's first deployment failed (shown on every environment; a restart tries again). */
  private bootstrapError: string | undefined;
  private provisions: Record<string, string> | undefined;
  /** Registry writes waiting for the environments pipeline's deploying execution to end (see `requestRun`). */
  private readonly wanted: string[] = [];
  private readonly snapshots = new Map<
    string,
    { stack: StackView | undefined; key: string; snapshot: DeploymentSnapshot }
  >();

  constructor(private readonly options: LocalPlatformOptions) {
    this.speedFactor = options.speedFactor ?? 10;
    this.clock = options.clock ?? (() => new Date());
    this.stacks = new LocalStacks({
      dataDir: path.join(options.dataDir, 'stacks'),
      speedFactor: this.speedFactor,
    });
    const work: ActionWork = {
      synth: (execution, definition, signal) => this.synth(execution, definition, signal),
      deploy: (execution, action, at, definition) => this.deployAction(execution, action, at, definition),
      deployProgress: (execution, action, now) => this.deployProgress(execution, action, now),
      smoke: (execution, action, signal, definition) => this.smoke(execution, action, signal, definition),
    };
    this.pipelines = new LocalPipelines({
      dataDir: path.join(options.dataDir, 'pipeline'),
      speedFactor: this.speedFactor,
      work,
      clock: this.clock,
      ...(options.onChange === undefined ? {} : { onChange: options.onChange }),
      onError: (error) =>
        logger.error({ err: error }, 'local pipeline: advancing failed; retrying on the next tick'),
      // Writes that waited for a deploying execution get their run once it ends.
      onExecutionEnded: () =>
        void this.catchUp().catch((error: unknown) =>
          logger.error({ err: error }, 'local pipeline: starting a waiting run failed'),
        ),
    });
  }

  // -- environments -------------------------------------------------------------------------------------

  /** A registry write is not a pipeline source: start the execution that deploys it (as in aws mode). */
  async provision({ record }: EnvironmentTarget): Promise<void> {
    await this.rememberProvision(record.environmentSuffix);
    // Before the pipeline exists (a fresh data folder) its first deployment takes a synth: the request
    // does not wait for it; the execution starts once the pipeline is deployed (`catchUp`).
    if (!(await this.pipelines.isDeployed())) {
      this.deployPipeline();
      return;
    }
    await this.requestRun(
      `registry write: ${record.environmentSuffix} (${record.spec.kind})`,
      record.requestedBy,
    );
  }

  /**
   * Deletes the environment's stack (CDK Pipelines never deletes a removed stage's stack) and starts a
   * pipeline run, whose synth skips the `destroying` entry so self-mutation drops its stage.
   */
  async destroy({ record }: EnvironmentTarget): Promise<void> {
    const address = await this.addressOf(record);
    await this.stacks.delete(address, this.clock());
    if (await this.pipelines.isDeployed()) await this.requestRun(`destroy of ${record.environmentSuffix}`);
  }

  /**
   * Starts the environments pipeline for a registry write, unless an execution of it is deploying: its
   * self-mutation would cancel that execution (CodePipeline fails in-flight executions on a definition
   * update) while CloudFormation goes on with the stacks it started, and the restarted run's deploy
   * actions would then fail on those stacks (`… is in CREATE_IN_PROGRESS state and can not be updated`).
   * The write waits instead, and one run carries every write that waited once that execution ends.
   * Before the deploying stages (Source, Build, self-mutation) a new execution cancels nothing that
   * deploys, and SUPERSEDED mode lets the newest go on.
   */
  private async requestRun(trigger: string, requestedBy?: string): Promise<void> {
    const player = await this.pipelines.environments();
    if (deploying(await player.peek())) {
      this.wanted.push(trigger);
      return;
    }
    await player.startExecution(trigger, await this.origin(requestedBy));
  }

  /**
   * The environment now: its stack's state and its place in the pipeline. The same snapshot object comes
   * back while neither changed (the service reuses a snapshot's encoded detail body by identity).
   */
  async describe({ record }: EnvironmentTarget): Promise<DeploymentSnapshot> {
    this.deployPipeline();
    const address = await this.addressOf(record);
    const state = (await this.pipelines.isDeployed())
      ? await (await this.pipelines.forKind(record.spec.kind)).current()
      : undefined;
    const hold = this.options.holdBeforeResourceType;
    if (hold !== undefined && record.spec.kind === 'ephemeral')
      await this.stacks.hold(address, hold, this.clock());
    const described = await this.stacks.describe(address, this.clock());
    // A stack deleted by an earlier life of this suffix is gone: a suffix requested again starts afresh.
    const stack =
      described?.operation.rollout.operation === 'delete' && !destroyingOrGone(record.status)
        ? undefined
        : described;
    const position: Position =
      this.bootstrapError === undefined
        ? this.positionOf(record, state, await this.provisionTimes())
        : { kind: 'failed-before-deploy', where: 'pipeline', reason: this.bootstrapError };
    const key = JSON.stringify([record.status, position]);
    const memo = this.snapshots.get(record.environmentSuffix);
    if (memo !== undefined && memo.stack === stack && memo.key === key) return memo.snapshot;
    const snapshot = this.snapshotOf(record, address, stack, position);
    this.snapshots.delete(record.environmentSuffix);
    if (this.snapshots.size >= MAX_SNAPSHOTS)
      this.snapshots.delete(this.snapshots.keys().next().value as string);
    this.snapshots.set(record.environmentSuffix, { stack, key, snapshot });
    return snapshot;
  }

  private snapshotOf(
    record: EnvironmentRecord,
    address: StackAddress,
    stack: StackView | undefined,
    position: Position,
  ): DeploymentSnapshot {
    const empty = { stackName: address.stackName, events: [], timeline: [], outputs: [] };
    const shown = stack?.shown ?? empty;
    const idle = (phase: DeploymentPhase) => ({
      ...shown,
      progress: { phase, resourcesDone: 0, resourcesTotal: 0, percent: 0 },
    });
    if (stack?.operation.rollout.operation === 'delete' || record.status === 'destroying') {
      if (stack === undefined)
        return { ...idle('destroyed'), progress: { ...idle('destroyed').progress, percent: 100 } };
      return { ...shown, progress: this.progressOf(stack.playback, stack.operation.rollout) };
    }
    switch (position.kind) {
      case 'waiting':
        return idle(position.phase);
      case 'failed-before-deploy':
        return {
          ...idle('failed'),
          failure: {
            logicalResourceId: position.where,
            resourceType: 'AWS::CodePipeline::Action',
            reason: position.reason,
          },
        };
      case 'deploy': {
        if (stack === undefined) return idle('queued');
        const progress = this.progressOf(stack.playback, stack.operation.rollout);
        const smoke = position.smoke;
        if (progress.phase === 'complete' && smoke !== undefined && smoke.status !== 'Succeeded') {
          if (smoke.status === 'Failed') {
            return {
              ...shown,
              progress: { ...progress, phase: 'failed' },
              failure: {
                logicalResourceId: smoke.name,
                resourceType: 'AWS::CodePipeline::Action',
                reason: `smoke test failed: ${smoke.errorMessage ?? 'no detail'}`,
              },
            };
          }
          // Deployed, not yet proven: the smoke test is running (or about to).
          return { ...shown, outputs: [], progress: { ...progress, phase: 'deploying', percent: 99 } };
        }
        if (position.deployFailure !== undefined && stack.operation.rollout.failure === undefined) {
          return {
            ...shown,
            progress: { ...progress, phase: 'failed' },
            failure: {
              logicalResourceId: address.stackName,
              resourceType: 'AWS::CloudFormation::Stack',
              reason: position.deployFailure,
            },
          };
        }
        return { ...shown, progress };
      }
      case 'none':
        return stack === undefined
          ? idle('queued')
          : { ...shown, progress: this.progressOf(stack.playback, stack.operation.rollout) };
    }
  }

  /**
   * A stack left in ROLLBACK_COMPLETE is deleted (it holds nothing), the entry goes back to `requested`
   * and a run starts, as the teardown's `recreateRolledBack` does in AWS.
   */
  async recreate({ record }: EnvironmentTarget): Promise<void> {
    const address = await this.addressOf(record);
    const stack = await this.stacks.describe(address, this.clock());
    if (stack?.status !== 'ROLLBACK_COMPLETE') return;
    await this.stacks.delete(address, this.clock());
    const recreations = (record.recreations ?? 0) + 1;
    const requested = await this.options.registry.updateStatus({
      environmentSuffix: record.environmentSuffix,
      status: 'requested',
      statusReason: `rolled-back stack deleted; redeploying (automatic recreation ${recreations})`,
      expectedVersion: record.version,
      recreations,
      stackId: null,
    });
    await this.provision({ record: requested });
  }

  async compliance({ record }: EnvironmentTarget): Promise<ComplianceReport> {
    const { s3Client } = await this.localServices();
    return {
      environmentSuffix: record.environmentSuffix,
      static: await readPublishedNagReport({
        s3: s3Client,
        bucket: LOCAL_COMPLIANCE_BUCKET,
        environmentSuffix: record.environmentSuffix,
        unconfigured: 'no compliance-reports bucket',
      }),
      runtime: {
        available: false,
        unavailableReason: 'local mode: AWS Config rule results exist only in aws mode',
        rules: [],
      },
    };
  }

  async detectDrift({ record }: EnvironmentTarget): Promise<DriftReport> {
    const snapshot = await this.describe({ record });
    if (snapshot.progress.phase !== 'complete') {
      throw new NotDeployedError(
        `environment "${record.environmentSuffix}" has no deployed stack to check for drift`,
      );
    }
    // Nothing changes resources out of band on this machine: every resource is as deployed.
    return {
      environmentSuffix: record.environmentSuffix,
      status: 'IN_SYNC',
      detectedAt: this.clock().toISOString(),
      driftedResources: [],
      simulated: true,
    };
  }

  // -- pipeline -----------------------------------------------------------------------------------------

  /**
   * The release pipeline's stages (where promotions wait) and the environments pipeline's, each stage with
   * the latest execution that entered it, as GetPipelineState reports them.
   */
  async pipeline(): Promise<Omit<PipelineView, 'canDecide'>> {
    this.deployPipeline();
    await this.bootstrap();
    const release = await (await this.pipelines.promotions()).current();
    const environments = await (await this.pipelines.environments()).current();
    if (release === undefined || environments === undefined)
      throw new Error('the local pipeline is not deployed');
    const main = viewOf(release);
    const pending = this.pendingApproval(release);
    return {
      ...main,
      mode: 'local',
      simulated: true,
      ...(pending === undefined
        ? {}
        : {
            pendingPromotion: {
              stageName: pending.stageName,
              actionName: pending.action.name,
              requestedAt: pending.action.startedAt ?? pending.execution.startedAt,
              executionId: pending.execution.executionId,
              ...(pending.execution.sourceRevision === undefined
                ? {}
                : { sourceRevision: pending.execution.sourceRevision }),
              ...(pending.execution.requestedBy === undefined
                ? {}
                : { requestedBy: pending.execution.requestedBy }),
            },
          }),
      ...(environments === release ? {} : { environmentsPipeline: viewOf(environments) }),
    };
  }

  async decidePromotion(decision: PromotionDecision): Promise<void> {
    const player = await this.pipelines.promotions();
    const state = await player.current();
    const pending = state === undefined ? undefined : this.pendingApproval(state);
    if (pending?.action.approval === undefined) throw new NoPendingPromotionError();
    if (pending.execution.executionId !== decision.executionId) {
      throw new StalePromotionError(decision.executionId, pending.execution.executionId);
    }
    const decided = await player.decideApproval({
      executionId: pending.execution.executionId,
      token: pending.action.approval.token,
      decision: decision.decision === 'approve' ? 'Approved' : 'Rejected',
      decidedBy: decision.actor,
      comment: decision.comment,
    });
    if (!decided) throw new NoPendingPromotionError();
  }

  async close(): Promise<void> {
    await this.bootstrapping?.catch(() => undefined);
    await this.pipelines.close();
    const services = await this.services?.catch(() => undefined);
    if (services !== undefined) {
      services.s3Client.destroy();
      await services.endpoints.close();
      await services.s3.close();
    }
  }

  // -- the pipeline's real work -------------------------------------------------------------------------

  /**
   * The operator's first `cdk deploy` of the pipeline stack: the pipeline app synthesized from a clean
   * checkout (no environments file yet), through the CDK CLI with no credentials. Once per data folder.
   */
  /**
   * Deploys the pipeline in the background when it is not (once per data folder), then starts the
   * execution any provision is still waiting for.
   */
  private deployPipeline(): void {
    if (this.bootstrapping !== undefined) return;
    this.bootstrap().then(
      () => this.catchUp(),
      (error: unknown) => {
        this.bootstrapError = error instanceof Error ? error.message : String(error);
        logger.error({ err: error }, 'local pipeline: its first deployment failed');
      },
    );
  }

  /** A provision newer than every execution (made before the pipeline existed, or before a crash) gets one. */
  private async catchUp(): Promise<void> {
    if (!(await this.pipelines.isDeployed())) return;
    const player = await this.pipelines.environments();
    const state = await player.peek();
    if (deploying(state)) return;
    const newest = state?.executions.at(-1)?.startedAt ?? '';
    const waiting = [
      ...this.wanted.splice(0),
      ...Object.entries(await this.provisionTimes())
        .filter(([, at]) => at > newest)
        .map(([suffix]) => `registry write: ${suffix}`),
    ];
    if (waiting.length > 0)
      await player.startExecution([...new Set(waiting)].join('; '), await this.origin());
  }

  private bootstrap(): Promise<void> {
    this.bootstrapping ??= (async () => {
      if (await this.pipelines.isDeployed()) return;
      const dir = path.join(this.options.dataDir, 'pipeline', 'bootstrap');
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await snapshotSource({ repoRoot: this.options.repoRoot, into: path.join(dir, 'source') });
      const out = path.join(dir, 'cdk.out');
      await new Promise<void>((resolve, reject) => {
        execFile(
          'npx',
          ['--no-install', 'cdk', 'synth', '-q', '-o', out],
          {
            cwd: path.join(dir, 'source', 'pipeline'),
            timeout: 300_000,
            maxBuffer: 16 * 1024 * 1024,
            env: {
              PATH: process.env.PATH ?? '',
              HOME: process.env.HOME ?? dir,
              NODE_ENV: 'production',
              CDK_DISABLE_CLI_TELEMETRY: 'true',
            },
          },
          (error, _stdout, stderr) =>
            error === null
              ? resolve()
              : reject(
                  new Error(
                    `the pipeline's first synth failed: ${String(stderr).trim().split('\n').slice(-12).join('\n')}`,
                  ),
                ),
        );
      });
      await this.pipelines.deploy(out);
    })();
    return this.bootstrapping;
  }

  private localServices() {
    this.services ??= (async () => {
      const s3 = await startLocalS3({
        dataDir: path.join(this.options.dataDir, 's3'),
        buckets: [LOCAL_COMPLIANCE_BUCKET],
      });
      const endpoints = await startLocalAwsEndpoints({
        apis: { api: (id) => this.apis.get(id), apiKey: (id) => this.apiKeys.get(id) },
      });
      const s3Client = new S3Client({
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: LOCAL_CREDENTIALS,
        maxAttempts: 2,
      });
      return { s3, endpoints, s3Client };
    })();
    return this.services;
  }

  /** The synth step of `execution`, or the assembly of an earlier one with the same inputs. */
  private async synth(
    execution: ExecutionRun,
    definition: PipelineDefinition,
    signal: AbortSignal,
  ): Promise<BuildRecord> {
    const started = Date.now();
    const registry = (await this.options.registry.list()).map((record) => ({
      environmentSuffix: record.environmentSuffix,
      status: record.status,
      spec: record.spec,
      createdAt: record.createdAt,
    }));
    const cacheKey = buildCacheKey({
      source: await sourceFingerprint(this.options.repoRoot),
      registry,
      buildspec: synthCommands(definition).build,
    });
    // Any pipeline's Build of the same inputs (both pipelines run the same synth step).
    const earlier = (await this.pipelines.executions())
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      .find((other) => other.build?.cacheKey === cacheKey && other.build.reusedFrom === undefined);
    if (earlier?.build !== undefined && existsSync(earlier.build.assemblyDir)) {
      return { ...earlier.build, reusedFrom: earlier.executionId, durationMs: Date.now() - started };
    }
    const runDir = (await this.pipelines.byName(definition.pipelineName)).runDir(execution);
    await rm(runDir, { recursive: true, force: true });
    await mkdir(runDir, { recursive: true });
    const sourceDir = path.join(runDir, 'source');
    await snapshotSource({ repoRoot: this.options.repoRoot, into: sourceDir });
    const { s3, endpoints } = await this.localServices();
    const result = await runSynthStep({
      definition,
      sourceDir,
      resolvedVariables: {
        REGISTRY_TABLE_NAME: this.options.registryStore.tableName,
        COMPLIANCE_REPORTS_BUCKET: LOCAL_COMPLIANCE_BUCKET,
      },
      awsEnvironment: {
        ...endpoints.environment(),
        AWS_ENDPOINT_URL_DYNAMODB: this.options.registryStore.endpoint,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
      },
      logFile: path.join(runDir, 'build.log'),
      signal,
    });
    const exportFile = path.join(sourceDir, 'pipeline', 'environments.json');
    const exported = existsSync(exportFile)
      ? ((JSON.parse(await readFile(exportFile, 'utf8')) as { environments?: EnvironmentRecord[] })
          .environments ?? [])
      : [];
    return {
      runDir,
      assemblyDir: result.assemblyDir,
      cacheKey,
      exported: exported.map((record) => ({
        environmentSuffix: record.environmentSuffix,
        version: record.version,
        updatedAt: record.updatedAt,
      })),
      skipped: result.skipped,
      durationMs: result.durationMs,
      commands: result.commands.map(({ command, durationMs }) => ({ command, durationMs })),
    };
  }

  /** A CloudFormation CREATE_UPDATE of the action's stack from the execution's cloud assembly. */
  private async deployAction(
    execution: ExecutionRun,
    action: ActionRun,
    at: Date,
    pipeline: PipelineDefinition,
  ) {
    const definition = pipeline.stages
      .flatMap((stage) => stage.actions)
      .find((candidate) => candidate.name === action.name && candidate.kind === 'deploy');
    const stack = definition?.stack;
    if (stack === undefined || execution.build === undefined) {
      return {
        endsAt: at,
        outcome: 'Failed' as const,
        summary: 'no stack to deploy',
        errorMessage: `${action.name}: no template in the cloud assembly`,
      };
    }
    const address = { account: stack.account, region: stack.region, stackName: stack.stackName };
    action.stack = { ...address, templatePath: stack.templatePath };
    const templateText = await readFile(path.join(execution.build.assemblyDir, stack.templatePath), 'utf8');
    const record =
      action.environmentSuffix === undefined
        ? undefined
        : await this.options.registry.get({ environmentSuffix: action.environmentSuffix });
    const failResourceType =
      record === undefined
        ? undefined
        : (FAIL_MARKER.exec(record.spec.project)?.[1] ?? this.options.failResourceType);
    const outcome = await this.stacks.deploy({
      address,
      templateText,
      startedAt: at,
      ...(failResourceType === undefined ? {} : { failResourceType }),
      ...(action.environmentSuffix === undefined ? {} : { environmentSuffix: action.environmentSuffix }),
      // One token per action execution, as CodePipeline's CloudFormation action sends: a resumed run
      // (the portal restarted mid-action) gets its own operation back instead of a second one.
      clientRequestToken: clientRequestToken(execution, action),
    });
    if (outcome.outcome === 'refused') {
      return {
        endsAt: at,
        outcome: 'Failed' as const,
        summary: outcome.reason,
        errorMessage: outcome.reason,
      };
    }
    if (outcome.outcome === 'no-change') {
      action.stack.noChange = true;
      return {
        endsAt: new Date(at.getTime() + (NO_CHANGE_SECONDS * 1000) / this.speedFactor),
        outcome: 'Succeeded' as const,
        summary: 'No updates are to be performed.',
      };
    }
    const verb = outcome.operation.rollout.operation === 'create' ? 'CREATE' : 'UPDATE';
    return { summary: `${verb}_IN_PROGRESS` };
  }

  /** The hold knob stops ephemeral environments' creates only: the pipeline's other stacks carry on. */
  private async holdsFor(environmentSuffix: string | undefined): Promise<boolean> {
    if (this.options.holdBeforeResourceType === undefined || environmentSuffix === undefined) return false;
    const record = await this.options.registry.get({ environmentSuffix });
    return record?.spec.kind === 'ephemeral';
  }

  /** The stack operation a deploy action started, polled as the CloudFormation action polls its stack. */
  private async deployProgress(execution: ExecutionRun, action: ActionRun, now: Date) {
    if (action.stack === undefined) return undefined;
    const address = {
      account: action.stack.account,
      region: action.stack.region,
      stackName: action.stack.stackName,
    };
    if (await this.holdsFor(action.environmentSuffix))
      await this.stacks.hold(address, this.options.holdBeforeResourceType as string, now);
    const result = await this.stacks.operationResult(address, clientRequestToken(execution, action), now);
    if (result === undefined) return undefined;
    return {
      finishedAt: result.endedAt,
      outcome: result.failed ? ('Failed' as const) : ('Succeeded' as const),
      summary: result.status,
      ...(result.reason === undefined ? {} : { errorMessage: result.reason }),
    };
  }

  /**
   * The smoke action: the bundled smoke script from the execution's cloud assembly, with the stack
   * outputs its action reads, against the environment's API as the local endpoints serve it.
   */
  private async smoke(
    execution: ExecutionRun,
    action: ActionRun,
    signal: AbortSignal,
    pipeline: PipelineDefinition,
  ): Promise<{ summary: string }> {
    const stages = pipeline.stages;
    const definition = stages
      .flatMap((stage) => stage.actions)
      .find(
        (a) =>
          a.name === action.name && a.kind === 'smoke' && a.environmentSuffix === action.environmentSuffix,
      );
    const stage = stages.find((s) => s.actions.includes(definition as never));
    const deploy = stage?.actions.find(
      (a) => a.kind === 'deploy' && a.environmentSuffix === action.environmentSuffix,
    );
    if (definition?.build === undefined || deploy?.stack === undefined || execution.build === undefined) {
      throw new Error(
        `${action.name}: no deploy action with outputs for ${action.environmentSuffix ?? 'this stage'}`,
      );
    }
    const address = {
      account: deploy.stack.account,
      region: deploy.stack.region,
      stackName: deploy.stack.stackName,
    };
    const described = await this.stacks.describe(address, this.clock());
    const outputs = new Map((described?.shown.outputs ?? []).map((output) => [output.key, output.value]));
    await this.serveApis(address);
    const { endpoints } = await this.localServices();
    const env: Record<string, string> = {};
    for (const variable of definition.build.environmentVariables) {
      env[variable.name] = variable.value.replace(
        /#\{([^.}]+)\.([^}]+)\}/g,
        (_whole, namespace: string, name: string) =>
          namespace === deploy.namespace ? (outputs.get(name) ?? '') : '',
      );
    }
    // The API answers on loopback: https://<id>.execute-api.<region>.amazonaws.com/<stage>/ → the local URL.
    const api = /^https:\/\/([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com\/([^/]+)\/?$/.exec(
      env.API_URL ?? '',
    );
    if (api !== null)
      env.API_URL = endpoints.apiUrl({ apiId: api[1] as string, stageName: api[2] as string });
    const script = path.join(execution.build.assemblyDir, 'smoke', 'smoke.js');
    if (!existsSync(script))
      throw new Error(`the cloud assembly has no smoke script (${script}): the synth step did not bundle it`);
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [script],
        {
          cwd: execution.build?.assemblyDir,
          timeout: SMOKE_TIMEOUT_MS,
          signal,
          env: {
            PATH: process.env.PATH ?? '',
            NODE_ENV: 'production',
            // CodeBuild runs in the pipeline's region; the script reads the API's region from its URL,
            // which on loopback names none, so the environment's region is what it falls back to.
            AWS_REGION: deploy.stack?.region ?? 'us-east-1',
            ...endpoints.environment(),
            ...env,
          },
        },
        (error, stdout, stderr) => {
          const lines = `${stdout}${stderr}`.trim().split('\n');
          const said = lines.filter((line) => line.startsWith('smoke: '));
          if (error === null) resolve({ summary: said.at(-1) ?? 'smoke test passed' });
          else reject(new Error((said.length > 0 ? said : lines).slice(-4).join('\n') || error.message));
        },
      );
    });
  }

  /** Serves the APIs of a deployed stack on the local endpoints (what API Gateway does once it is deployed). */
  private async serveApis(address: StackAddress): Promise<void> {
    const record = await this.stacks.get(address);
    const hash = record === undefined ? undefined : this.stacks.deployedTemplateHash(record);
    if (record === undefined || hash === undefined) return;
    const template = await this.stacks.template(hash);
    const served = deployedApis({
      template,
      resolver: new TemplateResolver(template, {
        stackName: address.stackName,
        region: address.region,
        account: address.account,
        environmentSuffix: record.environmentSuffix ?? address.stackName,
      }),
      region: address.region,
      keySecret: await this.apiKeySecret(),
    });
    for (const api of served.apis) this.apis.set(api.apiId, api);
    for (const key of served.keys) this.apiKeys.set(key.id, key);
  }

  private async apiKeySecret(): Promise<string> {
    const file = path.join(this.options.dataDir, 'api-key-secret');
    if (existsSync(file)) return readFile(file, 'utf8');
    const secret = randomBytes(32).toString('hex');
    await mkdir(this.options.dataDir, { recursive: true });
    await writeFile(file, secret, { mode: 0o600 });
    return secret;
  }

  /** The commit the local Source action hands over (`git rev-parse`), and who asked. */
  private async origin(requestedBy?: string): Promise<ExecutionOrigin> {
    const sourceRevision = await new Promise<string | undefined>((resolve) => {
      execFile(
        'git',
        ['rev-parse', '--short=12', 'HEAD'],
        { cwd: this.options.repoRoot, timeout: 5000 },
        (error, stdout) => resolve(error === null && stdout.trim() !== '' ? stdout.trim() : undefined),
      );
    });
    return {
      ...(sourceRevision === undefined ? {} : { sourceRevision }),
      ...(requestedBy === undefined ? {} : { requestedBy }),
    };
  }

  // -- where an environment stands -----------------------------------------------------------------------

  private async addressOf(record: EnvironmentRecord): Promise<StackAddress> {
    const state = (await this.pipelines.isDeployed())
      ? await (await this.pipelines.environments()).peek()
      : undefined;
    return {
      account: record.spec.account ?? state?.definition.account ?? '111111111111',
      region: record.spec.region,
      stackName: physicalName('environmentStack', { suffix: record.environmentSuffix }),
    };
  }

  /**
   * The environment's place in the pipeline since it was last provisioned: the newest execution started
   * since then that synthesized it (or failed to) decides.
   */
  private positionOf(
    record: EnvironmentRecord,
    state: PipelineState | undefined,
    provisions: Readonly<Record<string, string>>,
  ): Position {
    const provisioned = provisions[record.environmentSuffix] !== undefined;
    const since = provisions[record.environmentSuffix] ?? record.createdAt;
    const suffix = record.environmentSuffix;
    const executions = [...(state?.executions ?? [])]
      .reverse()
      .filter((execution) => execution.startedAt >= since);
    if (executions.length === 0) return { kind: 'none' };
    for (const execution of executions) {
      const build = execution.stages
        .flatMap((stage) => stage.actions)
        .find((action) => action.kind === 'synth');
      if (execution.build === undefined) {
        if (execution.status === 'InProgress') {
          // Synthesized already by an earlier execution (the pipeline restarted after updating itself):
          // the environment waits for its stage; the Build running now is the pipeline's, not its own.
          const synthesized = executions.some((other) =>
            other.build?.exported.some((entry) => entry.environmentSuffix === suffix),
          );
          return {
            kind: 'waiting',
            // Only what was requested is "synthesizing": an environment nobody provisioned (prod, waiting
            // for its promotion) is merely carried along by the pipeline's synth.
            phase: build?.status === 'InProgress' && !synthesized && provisioned ? 'synthesizing' : 'queued',
          };
        }
        if (build?.status === 'Failed') {
          return {
            kind: 'failed-before-deploy',
            where: `Build/${build.name}`,
            reason: build.errorMessage ?? 'the synth step failed',
          };
        }
        continue;
      }
      const skipped = execution.build.skipped.find((entry) => entry.environmentSuffix === suffix);
      if (skipped !== undefined)
        return {
          kind: 'failed-before-deploy',
          where: `Build/${build?.name ?? 'Synth'}`,
          reason: `the pipeline's synth skipped this environment: ${skipped.reason}`,
        };
      if (!execution.build.exported.some((entry) => entry.environmentSuffix === suffix)) continue;
      const actions = execution.stages
        .flatMap((stage) => stage.actions)
        .filter((action) => action.environmentSuffix === suffix);
      const deploy = actions.find((action) => action.kind === 'deploy');
      // Not a stage of the pipeline this execution runs: the self-mutation adds it, then restarts.
      if (deploy === undefined) {
        if (execution.status === 'InProgress') return { kind: 'waiting', phase: 'queued' };
        continue;
      }
      if (deploy.status === 'NotStarted') {
        if (execution.status === 'InProgress') return { kind: 'waiting', phase: 'queued' };
        continue;
      }
      const smoke = actions.find((action) => action.kind === 'smoke');
      // A later run that changed nothing of this environment says nothing new about it, unless its
      // smoke test failed: a deployed environment stays ready while other environments deploy.
      if (deploy.stack?.noChange === true && smoke?.status !== 'Failed' && execution !== executions.at(-1))
        continue;
      return {
        kind: 'deploy',
        ...(smoke === undefined ? {} : { smoke }),
        ...(deploy.status === 'Failed' && deploy.errorMessage !== undefined
          ? { deployFailure: deploy.errorMessage }
          : {}),
      };
    }
    return { kind: 'none' };
  }

  private progressOf(playback: import('./rollout').Playback, rollout: import('./rollout').Rollout) {
    const total = playback.resourcesTotal;
    const percent =
      playback.phase === 'complete' || playback.phase === 'destroyed'
        ? 100
        : total === 0
          ? 0
          : Math.min(99, Math.round((playback.resourcesDone / total) * 100));
    const finishedAt = playback.finished
      ? new Date(Date.parse(rollout.startedAt) + rollout.endMs).toISOString()
      : undefined;
    return {
      phase: playback.phase,
      resourcesDone: playback.resourcesDone,
      resourcesTotal: total,
      percent,
      startedAt: rollout.startedAt,
      ...(finishedAt === undefined ? {} : { finishedAt }),
    };
  }

  private pendingApproval(state: PipelineState) {
    for (const execution of [...state.executions].reverse()) {
      if (execution.status !== 'InProgress') continue;
      for (const stage of execution.stages) {
        const action = stage.actions.find((a) => a.kind === 'approval' && a.status === 'InProgress');
        if (
          action !== undefined &&
          (action.name === PROMOTION_ACTION_NAME || action.approval !== undefined)
        ) {
          return { execution, stageName: stage.name, action };
        }
      }
    }
    return undefined;
  }

  /** When each environment was last provisioned: its progress is read from executions since then. */
  private async provisionTimes(): Promise<Record<string, string>> {
    if (this.provisions === undefined) {
      const file = path.join(this.options.dataDir, 'provisions.json');
      this.provisions = existsSync(file)
        ? (JSON.parse(await readFile(file, 'utf8')) as Record<string, string>)
        : {};
    }
    return this.provisions;
  }

  private async rememberProvision(environmentSuffix: string): Promise<void> {
    const provisions = await this.provisionTimes();
    provisions[environmentSuffix] = this.clock().toISOString();
    const file = path.join(this.options.dataDir, 'provisions.json');
    await mkdir(this.options.dataDir, { recursive: true });
    await writeFile(`${file}.tmp`, JSON.stringify(provisions));
    await rename(`${file}.tmp`, file);
  }
}

/** An execution of this pipeline is past its self-mutation: it deploys stacks a definition update would orphan. */
function deploying(state: PipelineState | undefined): boolean {
  return (state?.executions ?? []).some((execution) => {
    if (execution.status !== 'InProgress') return false;
    const update = execution.stages.find((stage) =>
      stage.actions.some((action) => action.kind === 'self-mutate'),
    );
    return update?.status === 'Succeeded';
  });
}

function destroyingOrGone(status: EnvironmentRecord['status']): boolean {
  return status === 'destroying' || status === 'destroyed';
}

/** One per action execution, as CodePipeline's CloudFormation action sends: a resumed run gets its operation back. */
function clientRequestToken(execution: ExecutionRun, action: ActionRun): string {
  return `${execution.executionId}-${action.name}`;
}

/** A pipeline as GetPipelineState shows it: each stage with the latest execution that entered it. */
function viewOf(state: PipelineState): {
  pipelineName: string;
  stages: PipelineStageView[];
  currentExecution?: NonNullable<PipelineView['currentExecution']>;
} {
  const latestIn = (stageName: string) =>
    [...state.executions]
      .reverse()
      .map((execution) => ({ execution, stage: execution.stages.find((s) => s.name === stageName) }))
      .find(({ stage }) => stage !== undefined && stage.status !== 'NotStarted');
  const stages = state.definition.stages.map((definition): PipelineStageView => {
    const entered = latestIn(definition.name);
    const run = entered?.stage;
    return {
      name: definition.name,
      status: (run?.status ?? 'NotStarted') as PipelineStatus,
      ...(run?.startedAt === undefined ? {} : { startedAt: run.startedAt }),
      ...(run?.finishedAt === undefined ? {} : { finishedAt: run.finishedAt }),
      ...(entered === undefined ? {} : { executionId: entered.execution.executionId }),
      actions: definition.actions.map((action) => {
        const actionRun = run?.actions.find((a) => a.name === action.name);
        const lastChangedAt = actionRun?.finishedAt ?? actionRun?.startedAt;
        const summary = actionRun?.errorMessage ?? actionRun?.summary;
        return {
          name: action.name,
          status: (actionRun?.status === 'Abandoned'
            ? 'Stopped'
            : (actionRun?.status ?? 'NotStarted')) as PipelineStatus,
          ...(lastChangedAt === undefined ? {} : { lastChangedAt }),
          ...(summary === undefined ? {} : { summary }),
        };
      }),
    };
  });
  const current =
    [...state.executions].reverse().find((execution) => execution.status === 'InProgress') ??
    state.executions.at(-1);
  return {
    pipelineName: `${state.definition.pipelineName} (local)`,
    stages,
    ...(current === undefined
      ? {}
      : {
          currentExecution: {
            executionId: current.executionId,
            status: current.status as PipelineStatus,
            startedAt: current.startedAt,
            ...(current.statusSummary === undefined ? {} : { summary: current.statusSummary }),
            trigger: current.trigger,
          },
        }),
  };
}
