import { readFileSync } from 'node:fs';
import { type EnvironmentRecord, type EnvironmentStatus, parseStoredRecord } from '@sep/registry';
import {
  type DeploymentTarget,
  environmentTarget,
  isDeploymentTarget,
  targetKey,
} from '@sep/registry/targets';
import type { EnvironmentSpec, FieldError } from '@sep/spec';
import { z } from 'zod';

/**
 * The registry as the synth sees it: a file written by scripts/export-registry.ts
 * before `cdk synth`, so the synth itself never touches the network and stays
 * deterministic and credential-free.
 */
export const ENVIRONMENTS_FILE_VERSION = 1;

export interface EnvironmentsFile {
  readonly version: typeof ENVIRONMENTS_FILE_VERSION;
  readonly exportedAt: string;
  readonly source: string;
  /** Stored items as read, each re-validated by the reader. */
  readonly environments: readonly unknown[];
  /** Entries the exporter already found invalid. */
  readonly invalid: readonly { readonly environmentSuffix: string; readonly errors: readonly FieldError[] }[];
}

/** Environments whose stage must not be (re)deployed: their stacks are being or have been deleted. */
const NOT_DEPLOYED: readonly EnvironmentStatus[] = ['destroying', 'destroyed'];

/** Where the synth may deploy: the bootstrapped targets, and the account of specs that name none. */
export interface DeployableTargets {
  readonly targets: readonly DeploymentTarget[];
  /** The pipeline's account. */
  readonly defaultAccount: string;
}

/**
 * Why a valid, not-deleted entry is left out of this synth, or undefined to deploy it.
 *
 * - A `failed` ephemeral entry: its stack may sit in ROLLBACK_COMPLETE, UPDATE_ROLLBACK_FAILED or
 *   DELETE_FAILED, where the CREATE_UPDATE deploy action fails, and a failed action in an ephemeral
 *   wave stops the execution before staging and prod. The portal's reconciler deletes a rolled-back
 *   stack and sets the entry back to `requested` (recreated on the next run); other failures wait
 *   for their owner (destroy and request again). Staging and prod are never skipped for `failed`:
 *   dropping their stage would drop their deploys and the promotion with them.
 * - An account/region outside the deployment targets: never bootstrapped with trust for the
 *   pipeline, its account would be an invalid principal in the artifact bucket and key policies and
 *   self-mutation would fail for everyone (aws/aws-cdk#5553).
 */
function skipReason(
  record: EnvironmentRecord,
  deployable: DeployableTargets | undefined,
): string | undefined {
  if (NOT_DEPLOYED.includes(record.status)) return `status is ${record.status}`;
  if (record.status === 'failed' && record.spec.kind === 'ephemeral') {
    return `status is failed (${record.statusReason ?? 'no reason recorded'}): a failed ephemeral environment is not redeployed`;
  }
  if (deployable !== undefined) {
    const target = environmentTarget(record.spec, deployable.defaultAccount);
    if (!isDeploymentTarget(deployable.targets, target)) {
      return `${targetKey(target)} is not a bootstrapped deployment target (${deployable.targets.map(targetKey).join(', ') || 'none'})`;
    }
  }
  return undefined;
}

export interface DeployableEnvironment {
  readonly spec: EnvironmentSpec;
  readonly createdAt: string;
}

export interface SkippedEnvironment {
  readonly environmentSuffix: string;
  readonly reason: string;
}

export interface LoadedEnvironments {
  readonly environments: readonly DeployableEnvironment[];
  readonly skipped: readonly SkippedEnvironment[];
}

const fileSchema = z.object({
  version: z.literal(ENVIRONMENTS_FILE_VERSION, { error: `version must be ${ENVIRONMENTS_FILE_VERSION}` }),
  exportedAt: z.string(),
  source: z.string(),
  environments: z.array(z.record(z.string(), z.unknown())),
  invalid: z
    .array(
      z.object({
        environmentSuffix: z.string(),
        errors: z.array(z.object({ path: z.string(), message: z.string() })),
      }),
    )
    .default([]),
});

export class EnvironmentsFileError extends Error {
  override readonly name = 'EnvironmentsFileError';
}

function describe(errors: readonly FieldError[]): string {
  return errors.map((error) => `${error.path}: ${error.message}`).join('; ');
}

/**
 * Turns the file's content into the environments to deploy. Every entry is
 * re-validated; an invalid one, a duplicate, one being destroyed, a failed
 * ephemeral one or one outside the deployment targets is skipped and reported
 * by suffix — one bad entry never breaks the pipeline.
 */
export function parseEnvironmentsFile(content: unknown, deployable?: DeployableTargets): LoadedEnvironments {
  const parsed = fileSchema.safeParse(content);
  if (!parsed.success) {
    throw new EnvironmentsFileError(
      `environments file is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  const skipped: SkippedEnvironment[] = parsed.data.invalid.map((entry) => ({
    environmentSuffix: entry.environmentSuffix,
    reason: `invalid registry entry: ${describe(entry.errors)}`,
  }));
  const seen = new Set<string>();
  const environments: DeployableEnvironment[] = [];
  for (const item of parsed.data.environments) {
    const result = parseStoredRecord(item);
    if (!result.success) {
      skipped.push({
        environmentSuffix: result.invalid.environmentSuffix,
        reason: `invalid registry entry: ${describe(result.invalid.errors)}`,
      });
      continue;
    }
    const record: EnvironmentRecord = result.record;
    if (seen.has(record.environmentSuffix)) {
      skipped.push({ environmentSuffix: record.environmentSuffix, reason: 'duplicate entry in the file' });
      continue;
    }
    seen.add(record.environmentSuffix);
    const reason = skipReason(record, deployable);
    if (reason !== undefined) {
      skipped.push({ environmentSuffix: record.environmentSuffix, reason });
      continue;
    }
    environments.push({ spec: record.spec, createdAt: record.createdAt });
  }
  return { environments, skipped };
}

export function readEnvironmentsFile(path: string, deployable?: DeployableTargets): LoadedEnvironments {
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new EnvironmentsFileError(
      `cannot read environments file ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parseEnvironmentsFile(content, deployable);
}
