// The deployment targets: the account/region pairs bootstrapped for the pipeline (`cdk bootstrap
// --trust <pipeline account>`) and given the account-security stack. CDK-free: the pipeline app, the
// environments-file reader and the portal's request validation share it (`@sep/registry/targets`).
import { type EnvironmentSpec, type FieldError, SUPPORTED_REGIONS } from '@sep/spec';

export interface DeploymentTarget {
  /** 12-digit account ID. */
  readonly account: string;
  readonly region: string;
}

export class DeploymentTargetsError extends Error {
  override readonly name = 'DeploymentTargetsError';
}

/** `<account>/<region>`, the form targets are written in. */
export function targetKey(target: DeploymentTarget): string {
  return `${target.account}/${target.region}`;
}

const TARGET = /^(\d{12})\/([a-z0-9-]+)$/;

/**
 * Parses a list of targets written `111111111111/us-east-1,222222222222/eu-west-1` (commas or
 * whitespace between entries). Every entry must be a 12-digit account and a region the environment
 * spec supports; duplicates collapse, first-seen order is kept.
 * @throws DeploymentTargetsError naming every bad entry
 */
export function parseDeploymentTargets(text: string): DeploymentTarget[] {
  const targets = new Map<string, DeploymentTarget>();
  const problems: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    const match = TARGET.exec(entry);
    const account = match?.[1];
    const region = match?.[2];
    if (account === undefined || region === undefined) {
      problems.push(`"${entry}" is not <12-digit account>/<region>`);
    } else if (!(SUPPORTED_REGIONS as readonly string[]).includes(region)) {
      problems.push(`"${entry}": region ${region} is not one of ${SUPPORTED_REGIONS.join(', ')}`);
    } else {
      targets.set(entry, { account, region });
    }
  }
  if (problems.length > 0) throw new DeploymentTargetsError(`deployment targets: ${problems.join('; ')}`);
  return [...targets.values()];
}

/**
 * A subset of `targets` written like them, or `*` for all of them (e.g. the targets whose AWS Config
 * recorder already exists, as in every AWS Control Tower governed region).
 * @throws DeploymentTargetsError for an entry that is not one of `targets`
 */
export function parseTargetSelection(text: string, targets: readonly DeploymentTarget[]): DeploymentTarget[] {
  if (text.trim() === '*') return [...targets];
  const known = new Set(targets.map(targetKey));
  const selected = parseDeploymentTargets(text);
  const unknown = selected.filter((target) => !known.has(targetKey(target))).map(targetKey);
  if (unknown.length > 0) {
    throw new DeploymentTargetsError(`not deployment targets: ${unknown.join(', ')}`);
  }
  return selected;
}

/** Where an environment deploys: its account (the pipeline's when the spec names none) and region. */
export function environmentTarget(spec: EnvironmentSpec, defaultAccount: string): DeploymentTarget {
  return { account: spec.account ?? defaultAccount, region: spec.region };
}

export function isDeploymentTarget(targets: readonly DeploymentTarget[], target: DeploymentTarget): boolean {
  return targets.some(
    (candidate) => candidate.account === target.account && candidate.region === target.region,
  );
}

/**
 * Why a spec cannot deploy to its account/region, as field errors (`account` or `region`), or none.
 * A target outside the list was never bootstrapped with trust for the pipeline: its account would be
 * an invalid principal in the pipeline's artifact bucket and key policies and self-mutation would
 * fail for every environment (aws/aws-cdk#5553).
 */
export function deploymentTargetErrors(
  spec: EnvironmentSpec,
  options: { readonly targets: readonly DeploymentTarget[]; readonly defaultAccount: string },
): FieldError[] {
  const target = environmentTarget(spec, options.defaultAccount);
  if (isDeploymentTarget(options.targets, target)) return [];
  const regions = options.targets.filter((candidate) => candidate.account === target.account);
  if (regions.length === 0) {
    return [
      {
        path: 'account',
        message: `account ${target.account} is not a deployment target of this platform (bootstrapped: ${options.targets.map(targetKey).join(', ') || 'none'})`,
      },
    ];
  }
  return [
    {
      path: 'region',
      message: `region ${target.region} is not bootstrapped in account ${target.account} (its regions: ${regions.map((candidate) => candidate.region).join(', ')})`,
    },
  ];
}
