import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type PipelineDefinition, synthCommands } from '@sep/pipeline/definition';
import { runSynthStep, snapshotSource, sourceFingerprint } from '@sep/pipeline/rehearsal';
import type { EnvironmentRecord } from '@sep/registry';
import { deployedApis } from './api-model';
import { LOCAL_COMPLIANCE_BUCKET, type LocalDelivery } from './local-delivery';
import {
  type ActionRun,
  type BuildRecord,
  buildCacheKey,
  type ExecutionRun,
  NO_CHANGE_SECONDS,
} from './pipeline-run';
import { withUncommittedNote } from './source-trigger';
import { CorruptStackStateError, type StackAddress } from './stack-model';
import { TemplateResolver } from './template-resolver';

/** A spec whose `project` contains `fail=<ResourceType>` fails on that type (local failure injection). */
const FAIL_MARKER = /fail=([A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+)/;
/** CodeBuild's smoke action gives up after this long. */
const SMOKE_TIMEOUT_MS = 120_000;

/**
 * The real work of the played pipeline's actions: the synth step (the pipeline's own buildspec
 * commands), CloudFormation deploys of the synthesized templates, and the bundled smoke script against
 * the environment's API as the local endpoints serve it.
 */
export class LocalActions {
  constructor(private readonly delivery: LocalDelivery) {}

  /** The synth step of `execution`, or the assembly of an earlier one with the same inputs. */
  async synth(
    execution: ExecutionRun,
    definition: PipelineDefinition,
    signal: AbortSignal,
  ): Promise<BuildRecord> {
    const started = Date.now();
    const registry = (await this.delivery.options.registry.list()).map((record) => ({
      environmentSuffix: record.environmentSuffix,
      status: record.status,
      spec: record.spec,
      createdAt: record.createdAt,
    }));
    const revision = execution.sourceRevision;
    const cacheKey = buildCacheKey({
      // A commit names its tree; without one (no git checkout) the working tree is fingerprinted.
      source:
        revision === undefined ? await sourceFingerprint(this.delivery.options.repoRoot) : `git:${revision}`,
      registry,
      buildspec: synthCommands(definition).build,
    });
    // Any pipeline's Build of the same inputs (both pipelines run the same synth step).
    const earlier = (await this.delivery.pipelines.executions())
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      .find((other) => other.build?.cacheKey === cacheKey && other.build.reusedFrom === undefined);
    if (earlier?.build !== undefined && existsSync(earlier.build.assemblyDir)) {
      return { ...earlier.build, reusedFrom: earlier.executionId, durationMs: Date.now() - started };
    }
    const runDir = (await this.delivery.pipelines.byName(definition.pipelineName)).runDir(execution);
    await rm(runDir, { recursive: true, force: true });
    await mkdir(runDir, { recursive: true });
    const sourceDir = path.join(runDir, 'source');
    await snapshotSource({ repoRoot: this.delivery.options.repoRoot, into: sourceDir, revision, signal });
    const { s3, endpoints } = await this.delivery.localServices();
    const result = await this.withSourceNote(
      revision,
      signal,
      runSynthStep({
        definition,
        sourceDir,
        executionId: execution.executionId,
        resolvedVariables: {
          REGISTRY_TABLE_NAME: this.delivery.options.registryStore.tableName,
          COMPLIANCE_REPORTS_BUCKET: LOCAL_COMPLIANCE_BUCKET,
        },
        awsEnvironment: {
          ...endpoints.environment(),
          AWS_ENDPOINT_URL_DYNAMODB: this.delivery.options.registryStore.endpoint,
          AWS_ENDPOINT_URL_S3: s3.endpoint,
        },
        logFile: path.join(runDir, 'build.log'),
        signal,
        // One synth per pipeline across restarts: a synth a killed portal left running is ended first.
        lockFile: path.join(this.delivery.options.dataDir, `synth-${definition.pipelineName}.pid`),
      }),
    );
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

  /** The synth step's failure, with a note when the commit it built is not what the working tree holds. */
  private async withSourceNote<T>(
    revision: string | undefined,
    signal: AbortSignal,
    step: Promise<T>,
  ): Promise<T> {
    try {
      return await step;
    } catch (error) {
      if (signal.aborted || revision === undefined) throw error;
      throw await withUncommittedNote(error, { revision, repoRoot: this.delivery.options.repoRoot });
    }
  }

  /** A CloudFormation CREATE_UPDATE of the action's stack from the execution's cloud assembly. */
  async deployAction(execution: ExecutionRun, action: ActionRun, at: Date, pipeline: PipelineDefinition) {
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
        : await this.delivery.options.registry.get({ environmentSuffix: action.environmentSuffix });
    const failResourceType =
      record === undefined
        ? undefined
        : (FAIL_MARKER.exec(record.spec.project)?.[1] ?? this.delivery.options.failResourceType);
    const outcome = await this.unlessCorrupt(() =>
      this.delivery.stacks.deploy({
        address,
        templateText,
        startedAt: at,
        ...(failResourceType === undefined ? {} : { failResourceType }),
        ...(action.environmentSuffix === undefined ? {} : { environmentSuffix: action.environmentSuffix }),
        // One token per action execution, as CodePipeline's CloudFormation action sends: a resumed run
        // (the portal restarted mid-action) gets its own operation back instead of a second one.
        clientRequestToken: clientRequestToken(execution, action),
      }),
    );
    if (outcome instanceof CorruptStackStateError) {
      // This stack's action fails with the reason; the pipeline's other actions go on.
      return {
        endsAt: at,
        outcome: 'Failed' as const,
        summary: 'unreadable stack state',
        errorMessage: outcome.message,
      };
    }
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
        endsAt: new Date(at.getTime() + (NO_CHANGE_SECONDS * 1000) / this.delivery.speedFactor),
        outcome: 'Succeeded' as const,
        summary: 'No updates are to be performed.',
      };
    }
    const verb = outcome.operation.rollout.operation === 'create' ? 'CREATE' : 'UPDATE';
    return { summary: `${verb}_IN_PROGRESS` };
  }

  /** The hold knob stops ephemeral environments' creates only: the pipeline's other stacks carry on. */
  private async holdsFor(environmentSuffix: string | undefined): Promise<boolean> {
    if (this.delivery.options.holdBeforeResourceType === undefined || environmentSuffix === undefined)
      return false;
    const record = await this.delivery.options.registry.get({ environmentSuffix });
    return record?.spec.kind === 'ephemeral';
  }

  /** The stack operation a deploy action started, polled as the CloudFormation action polls its stack. */
  async deployProgress(execution: ExecutionRun, action: ActionRun, now: Date) {
    if (action.stack === undefined) return undefined;
    const address = {
      account: action.stack.account,
      region: action.stack.region,
      stackName: action.stack.stackName,
    };
    if (await this.holdsFor(action.environmentSuffix))
      await this.delivery.stacks.hold(address, this.delivery.options.holdBeforeResourceType as string, now);
    const result = await this.unlessCorrupt(() =>
      this.delivery.stacks.operationResult(address, clientRequestToken(execution, action), now),
    );
    if (result === undefined) return undefined;
    if (result instanceof CorruptStackStateError)
      return {
        finishedAt: now.toISOString(),
        outcome: 'Failed' as const,
        summary: 'unreadable stack state',
        errorMessage: result.message,
      };
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
  async smoke(
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
    const described = await this.delivery.stacks.describe(address, this.delivery.clock());
    const outputs = new Map((described?.shown.outputs ?? []).map((output) => [output.key, output.value]));
    await this.serveApis(address);
    const { endpoints } = await this.delivery.localServices();
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

  /** `work()`, or the corrupt-state error it met (one stack's unreadable state fails that action only). */
  private async unlessCorrupt<T>(work: () => Promise<T>): Promise<T | CorruptStackStateError> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof CorruptStackStateError) return error;
      throw error;
    }
  }

  /** Serves the APIs of a deployed stack on the local endpoints (what API Gateway does once it is deployed). */
  private async serveApis(address: StackAddress): Promise<void> {
    const record = await this.delivery.stacks.get(address);
    const hash = record === undefined ? undefined : this.delivery.stacks.deployedTemplateHash(record);
    if (record === undefined || hash === undefined) return;
    const template = await this.delivery.stacks.template(hash);
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
    for (const api of served.apis) this.delivery.apis.set(api.apiId, api);
    for (const key of served.keys) this.delivery.apiKeys.set(key.id, key);
  }

  private async apiKeySecret(): Promise<string> {
    const file = path.join(this.delivery.options.dataDir, 'api-key-secret');
    if (existsSync(file)) return readFile(file, 'utf8');
    const secret = randomBytes(32).toString('hex');
    await mkdir(this.delivery.options.dataDir, { recursive: true });
    await writeFile(file, secret, { mode: 0o600 });
    return secret;
  }
}

/** One per action execution, as CodePipeline's CloudFormation action sends: a resumed run gets its operation back. */
function clientRequestToken(execution: ExecutionRun, action: ActionRun): string {
  return `${execution.executionId}-${action.name}`;
}
