import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { planCreate, planDelete, planUpdate, type Rollout } from './rollout';
import { holdBefore, playRollout } from './rollout-playback';
import {
  CorruptStackStateError,
  type DeployOutcome,
  type LocalStackRecord,
  type StackAddress,
  type StackOperation,
  type StackView,
  stackStatus,
} from './stack-model';
import { type CfnTemplate, resourceGraph } from './template';
import { TemplateResolver } from './template-resolver';

const MAX_OPERATIONS = 6;
const MAX_EVENTS = 200;

function keyOf(address: StackAddress): string {
  return `${address.account}/${address.region}/${address.stackName}`;
}

function stackIdOf(address: StackAddress, createdAt: string): string {
  const id = createHash('sha256')
    .update(`${keyOf(address)}@${createdAt}`)
    .digest('hex');
  return `arn:aws:cloudformation:${address.region}:${address.account}:stack/${address.stackName}/${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;
}

/** Bound of the settled-view memo: above any registry a portal serves. */
const MAX_SETTLED = 5000;

/** When a rollout's playback stops changing: at its end, or where a later operation interrupted it. */
function settledAt(rollout: Rollout): number {
  return (
    Date.parse(rollout.startedAt) +
    Math.min(rollout.endMs, rollout.interruptedAtMs ?? Number.POSITIVE_INFINITY)
  );
}

export interface LocalStacksOptions {
  /** `<data>/platform/stacks`: one JSON file per stack, templates by content hash. */
  readonly dataDir: string;
  /** Simulated time runs this many times faster than AWS. */
  readonly speedFactor: number;
}

/**
 * CloudFormation as local mode plays it: each stack's operations (create, update, delete) planned from
 * the template's own resource graph when CloudFormation would start them, then played back against the
 * clock. Persisted per stack (temp file + rename), so a restart resumes every stack where it would be.
 * (A little over ~400 lines on purpose: the calls of CloudFormation's API that local mode plays, on one
 * store; the records are in stack-model.ts, planning in rollout.ts, playback in rollout-playback.ts.)
 */
export class LocalStacks {
  private readonly records = new Map<string, LocalStackRecord>();
  private readonly templates = new Map<string, Promise<CfnTemplate>>();
  /** Per stack, its view once its playback no longer depends on the clock (valid while the record is the same). */
  private readonly settled = new LRUCache<
    string,
    { record: LocalStackRecord; stableFrom: number; view: StackView }
  >({ max: MAX_SETTLED });
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LocalStacksOptions) {}

  async get(address: StackAddress): Promise<LocalStackRecord | undefined> {
    const key = keyOf(address);
    const cached = this.records.get(key);
    if (cached !== undefined) return cached;
    const file = this.fileOf(address);
    if (!existsSync(file)) return undefined;
    let record: LocalStackRecord;
    try {
      record = JSON.parse(await readFile(file, 'utf8')) as LocalStackRecord;
    } catch (error) {
      throw new CorruptStackStateError(file, error instanceof Error ? error.message : String(error));
    }
    this.records.set(key, record);
    return record;
  }

  /**
   * Sets an unreadable state file aside (`<file>.corrupt-<time>`, kept for a person to look at): the
   * stack is then unknown, as if it never existed. @returns where the file went
   */
  async discard(address: StackAddress): Promise<string> {
    const file = this.fileOf(address);
    const aside = `${file}.corrupt-${Date.now()}`;
    this.records.delete(keyOf(address));
    this.settled.delete(keyOf(address));
    if (existsSync(file)) await rename(file, aside);
    return aside;
  }

  /** Every stack this store has a file for (used to serve the APIs of deployed stacks). */
  cached(): LocalStackRecord[] {
    return [...this.records.values()];
  }

  async template(hash: string): Promise<CfnTemplate> {
    let template = this.templates.get(hash);
    if (template === undefined) {
      template = readFile(path.join(this.options.dataDir, 'templates', `${hash}.json`), 'utf8').then(
        (text) => JSON.parse(text) as CfnTemplate,
      );
      this.templates.set(hash, template);
      template.catch(() => this.templates.delete(hash));
    }
    return template;
  }

  /**
   * A CloudFormation CREATE_UPDATE of `template` at `startedAt`: create when the stack does not exist
   * (or its last delete finished), update when the template changed, nothing when it did not.
   */
  async deploy(options: {
    readonly address: StackAddress;
    readonly templateText: string;
    readonly startedAt: Date;
    /** The first resource of this type fails to create (failure injection). */
    readonly failResourceType?: string;
    /** Tags the resolver uses for physical names (`environmentSuffix`). */
    readonly environmentSuffix?: string;
    /** CloudFormation's ClientRequestToken: the same token gets the operation it started back. */
    readonly clientRequestToken?: string;
  }): Promise<DeployOutcome> {
    const { address, startedAt } = options;
    const existing = await this.get(address);
    const last = existing?.operations.at(-1);
    if (
      last !== undefined &&
      options.clientRequestToken !== undefined &&
      last.clientRequestToken === options.clientRequestToken
    )
      return { outcome: 'started', operation: last };
    const lastPlayback =
      last === undefined ? undefined : playRollout(last.rollout, address.stackName, startedAt);
    if (last !== undefined && lastPlayback !== undefined && !lastPlayback.finished) {
      return {
        outcome: 'refused',
        reason: `Stack:${existing?.stackId} is in ${stackStatus(last.rollout, lastPlayback)} state and can not be updated.`,
      };
    }
    if (last?.rollout.operation === 'create' && lastPlayback?.phase === 'failed') {
      return {
        outcome: 'refused',
        reason: `Stack:${existing?.stackId} is in ROLLBACK_COMPLETE state and can not be updated.`,
      };
    }
    const hash = createHash('sha256').update(options.templateText).digest('hex');
    const template = JSON.parse(options.templateText) as CfnTemplate;
    await this.storeTemplate(hash, options.templateText);
    const gone = last === undefined || last.rollout.operation === 'delete';
    const createdAt = gone ? startedAt.toISOString() : undefined;
    const stackId = createdAt === undefined ? (existing?.stackId as string) : stackIdOf(address, createdAt);
    const resolver = new TemplateResolver(template, {
      stackName: address.stackName,
      region: address.region,
      account: address.account,
      environmentSuffix: options.environmentSuffix ?? address.stackName,
    });
    const nodes = resourceGraph(template);
    let rollout: Rollout;
    if (gone) {
      rollout = planCreate({
        nodes,
        physicalId: (id) => resolver.physicalId(id),
        startedAt,
        speedFactor: this.options.speedFactor,
        ...(options.failResourceType === undefined ? {} : { failResourceType: options.failResourceType }),
      });
    } else {
      const deployedHash = this.deployedTemplateHash(existing as LocalStackRecord);
      if (deployedHash === hash) return { outcome: 'no-change' };
      const previous =
        deployedHash === undefined ? {} : ((await this.template(deployedHash)).Resources ?? {});
      const added = new Set(Object.keys(template.Resources ?? {}).filter((id) => previous[id] === undefined));
      const changed = new Set(
        Object.entries(template.Resources ?? {})
          .filter(([id, resource]) => JSON.stringify(previous[id]) !== JSON.stringify(resource))
          .map(([id]) => id),
      );
      rollout = planUpdate({
        nodes,
        changed,
        added,
        physicalId: (id) => resolver.physicalId(id),
        startedAt,
        speedFactor: this.options.speedFactor,
      });
    }
    const operation: StackOperation = {
      rollout,
      templateHash: hash,
      ...(options.clientRequestToken === undefined ? {} : { clientRequestToken: options.clientRequestToken }),
    };
    await this.save({
      ...address,
      stackId,
      ...(options.environmentSuffix === undefined ? {} : { environmentSuffix: options.environmentSuffix }),
      operations: [...(gone ? [] : (existing?.operations ?? [])), operation].slice(-MAX_OPERATIONS),
    });
    return { outcome: 'started', operation };
  }

  /**
   * Keeps the stack's running create from starting the first resource of `resourceType` (tests that must
   * act at a known point of a deployment): the plan is moved on and saved while it would start soon, so
   * a process started without the hold resumes from there. What already ran never changes.
   */
  async hold(address: StackAddress, resourceType: string, now: Date): Promise<void> {
    const record = await this.get(address);
    const last = record?.operations.at(-1);
    if (record === undefined || last === undefined) return;
    const held = holdBefore(last.rollout, resourceType, now);
    if (held === undefined) return;
    await this.save({
      ...record,
      operations: [...record.operations.slice(0, -1), { ...last, rollout: held }],
    });
  }

  /**
   * How the operation started with `clientRequestToken` ended, once it has: its end (or where a later
   * operation interrupted it) and whether it rolled back. Undefined while it runs.
   */
  async operationResult(
    address: StackAddress,
    clientRequestToken: string,
    now: Date,
  ): Promise<
    | {
        readonly endedAt: string;
        readonly failed: boolean;
        readonly status: string;
        readonly reason?: string;
      }
    | undefined
  > {
    const record = await this.get(address);
    const operations = record?.operations ?? [];
    const index = operations.findIndex((operation) => operation.clientRequestToken === clientRequestToken);
    const operation = operations[index];
    if (operation === undefined) {
      return {
        endedAt: now.toISOString(),
        failed: true,
        status: 'DELETE_COMPLETE',
        reason: `stack ${address.stackName} no longer exists`,
      };
    }
    const { rollout } = operation;
    const end = settledAt(rollout);
    if (now.getTime() < end) return undefined;
    const playback = playRollout(rollout, address.stackName, new Date(end));
    const interrupted = rollout.interruptedAtMs !== undefined;
    return {
      endedAt: new Date(end).toISOString(),
      failed: interrupted || rollout.failure !== undefined,
      status: interrupted ? 'DELETE_IN_PROGRESS' : stackStatus(rollout, playback),
      ...(interrupted
        ? { reason: `stack ${address.stackName} is being deleted` }
        : rollout.failure === undefined
          ? {}
          : { reason: `${rollout.failure.logicalId} (${rollout.failure.type}): ${rollout.failure.reason}` }),
    };
  }

  /** DeleteStack at `startedAt`: every resource the stack holds, in reverse dependency order. */
  async delete(address: StackAddress, startedAt: Date): Promise<StackOperation | undefined> {
    const existing = await this.get(address);
    const last = existing?.operations.at(-1);
    if (existing === undefined || last === undefined || last.rollout.operation === 'delete') return undefined;
    const operations = [...existing.operations];
    const playback = playRollout(last.rollout, address.stackName, startedAt);
    const elapsed = startedAt.getTime() - Date.parse(last.rollout.startedAt);
    if (!playback.finished)
      operations[operations.length - 1] = { ...last, rollout: { ...last.rollout, interruptedAtMs: elapsed } };
    // What exists: resources whose create started (a rolled-back create left nothing).
    const existingIds = new Set(
      last.rollout.failure !== undefined && playback.finished
        ? []
        : last.rollout.operation === 'update'
          ? Object.keys((await this.deployedTemplate(existing)).Resources ?? {})
          : last.rollout.resources
              .filter((r) => r.outcome !== 'not-started' && r.startMs <= elapsed)
              .map((r) => r.logicalId),
    );
    const template = last.templateHash === undefined ? {} : await this.template(last.templateHash);
    const resolver = new TemplateResolver(template, {
      stackName: address.stackName,
      region: address.region,
      account: address.account,
      environmentSuffix: existing.environmentSuffix ?? address.stackName,
    });
    const rollout = planDelete({
      nodes: resourceGraph(template).filter((node) => existingIds.has(node.logicalId)),
      physicalId: (id) => resolver.physicalId(id),
      startedAt,
      speedFactor: this.options.speedFactor,
    });
    const operation: StackOperation = { rollout };
    await this.save({ ...existing, operations: [...operations, operation].slice(-MAX_OPERATIONS) });
    return operation;
  }

  /**
   * The stack now: its newest operation played back, the previous one's events before it, outputs once
   * deployed. Once its operations stop changing with the clock, the same object is returned until the
   * stack changes (playing 150 resources back costs ~1 ms; a detail read's encoding is reused per object).
   */
  async describe(address: StackAddress, now: Date): Promise<StackView | undefined> {
    const record = await this.get(address);
    const last = record?.operations.at(-1);
    if (record === undefined || last === undefined) return undefined;
    const key = keyOf(address);
    const memo = this.settled.get(key);
    if (memo !== undefined && memo.record === record && now.getTime() >= memo.stableFrom) return memo.view;
    const view = await this.play(address, record, last, now);
    const previous = record.operations.at(-2);
    const stableFrom = Math.max(
      settledAt(last.rollout),
      previous === undefined ? 0 : settledAt(previous.rollout),
    );
    if (now.getTime() >= stableFrom) {
      this.settled.set(key, { record, stableFrom, view });
    }
    return view;
  }

  private async play(
    address: StackAddress,
    record: LocalStackRecord,
    last: StackOperation,
    now: Date,
  ): Promise<StackView> {
    const playback = playRollout(last.rollout, address.stackName, now, { maxEvents: MAX_EVENTS });
    const previous = record.operations.at(-2);
    const earlier =
      previous !== undefined && playback.events.length < MAX_EVENTS
        ? playRollout(previous.rollout, address.stackName, now, { maxEvents: MAX_EVENTS }).events
        : [];
    const failure =
      last.rollout.failure !== undefined && playback.phase !== 'deploying' ? last.rollout.failure : undefined;
    const deployedHash = this.deployedTemplateHash(record);
    const outputs =
      last.rollout.operation !== 'delete' &&
      deployedHash !== undefined &&
      (playback.succeeded || last.rollout.operation === 'update')
        ? new TemplateResolver(await this.template(deployedHash), {
            stackName: address.stackName,
            region: address.region,
            account: address.account,
            environmentSuffix: record.environmentSuffix ?? address.stackName,
          }).outputs()
        : [];
    const status = stackStatus(last.rollout, playback);
    return {
      status,
      operation: last,
      playback,
      shown: {
        stackName: address.stackName,
        stackId: record.stackId,
        events: [...earlier, ...playback.events].slice(-MAX_EVENTS),
        timeline: playback.timeline,
        outputs,
        ...(failure === undefined
          ? {}
          : {
              failure: {
                logicalResourceId: failure.logicalId,
                resourceType: failure.type,
                reason: failure.reason,
              },
            }),
        // ROLLBACK_COMPLETE: the stack can only be deleted, and then created again.
        ...(status === 'ROLLBACK_COMPLETE' ? { replaceable: true } : {}),
      },
    };
  }

  /** The template the stack runs: that of its newest create or update that did not roll back. */
  deployedTemplateHash(record: LocalStackRecord): string | undefined {
    return this.deployedOperation(record)?.templateHash;
  }

  /** The stack's newest create or update that did not roll back (what it runs), if any. */
  deployedOperation(record: LocalStackRecord): StackOperation | undefined {
    for (const operation of [...record.operations].reverse()) {
      if (operation.rollout.operation === 'delete') return undefined;
      if (operation.rollout.failure === undefined) return operation;
      if (operation.rollout.operation === 'create') return undefined;
    }
    return undefined;
  }

  private async deployedTemplate(record: LocalStackRecord): Promise<CfnTemplate> {
    const hash = this.deployedTemplateHash(record);
    return hash === undefined ? {} : this.template(hash);
  }

  private fileOf(address: StackAddress): string {
    return path.join(this.options.dataDir, address.account, address.region, `${address.stackName}.json`);
  }

  private async storeTemplate(hash: string, text: string): Promise<void> {
    const file = path.join(this.options.dataDir, 'templates', `${hash}.json`);
    if (existsSync(file)) return;
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
  }

  private save(record: LocalStackRecord): Promise<void> {
    this.records.set(keyOf(record), record);
    const file = this.fileOf(record);
    const next = this.writes.then(async () => {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(`${file}.tmp`, JSON.stringify(record));
      await rename(`${file}.tmp`, file);
    });
    this.writes = next.catch(() => undefined);
    return next;
  }
}
