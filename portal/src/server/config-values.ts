import { DeploymentTargetsError, parseDeploymentTargets } from '@sep/registry/targets';
import { z } from 'zod';
import { ROLES, type Role } from './domain/types';

/* The formats of the portal's structured environment variables: each parses one value into what the config holds. */

export const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

/** `engineer=sep-engineers,approver=sep-approvers` → group name per role. */
export const roleGroupsSchema = z.string().transform((value, ctx) => {
  const mapping: Partial<Record<Role, string>> = {};
  for (const pair of value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [role, group] = pair.split('=').map((part) => part.trim());
    if (!role || !group || !(ROLES as readonly string[]).includes(role)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${pair}" is not <role>=<group> with role in ${ROLES.join(', ')}`,
      });
      return z.NEVER;
    }
    mapping[role as Role] = group;
  }
  return mapping;
});

/** `name:role+role:sha256hex,…` → API tokens for scripts in aws mode (only hashes live in config). */
export const apiTokensSchema = z.string().transform((value, ctx) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [name, roles, hash] = entry.split(':');
      const roleList = (roles ?? '').split('+').filter(Boolean);
      if (
        !name ||
        !hash ||
        !/^[0-9a-f]{64}$/.test(hash) ||
        roleList.length === 0 ||
        roleList.some((role) => !(ROLES as readonly string[]).includes(role))
      ) {
        ctx.addIssue({
          code: 'custom',
          message: `"${name ?? entry}" is not <name>:<role>[+<role>]:<sha256-hex>`,
        });
        return { name: '', roles: [] as Role[], sha256: '' };
      }
      return { name, roles: roleList as Role[], sha256: hash };
    }),
);

/** `111111111111/us-east-1,222222222222/eu-west-1` → the bootstrapped deployment targets. */
export const deploymentTargetsSchema = z.string().transform((value, ctx) => {
  try {
    return parseDeploymentTargets(value);
  } catch (error) {
    if (!(error instanceof DeploymentTargetsError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
    return z.NEVER;
  }
});

export const secretArnSchema = z
  .string()
  .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/, {
    error: 'must be a Secrets Manager secret ARN',
  });

export const resourceTypeSchema = z.string().regex(/^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$/, {
  error: 'must be a resource type such as AWS::S3::Bucket',
});
