import {
  type IAMClient,
  NoSuchEntityException,
  paginateListAccessKeys,
  paginateListUserTags,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import type { ArnContext, Inspection } from './inspection';

/**
 * Deactivates (never deletes) the access key GuardDuty flagged: reversible with
 * `aws iam update-access-key --status Active` once the owner has rotated it.
 */
export async function inspectAccessKey(options: {
  readonly iam: IAMClient;
  readonly userName: string;
  readonly accessKeyId: string;
  readonly arn: ArnContext;
}): Promise<Inspection> {
  const { iam, userName, accessKeyId } = options;
  const entity = `arn:${options.arn.partition}:iam::${options.arn.account}:user/${userName}`;
  const details = { userName, accessKeyId, reverse: 'iam:UpdateAccessKey Status=Active' };
  let tags: unknown[];
  const keys = [];
  try {
    tags = [];
    for await (const page of paginateListUserTags({ client: iam }, { UserName: userName })) {
      tags.push(...(page.Tags ?? []));
    }
    for await (const page of paginateListAccessKeys({ client: iam }, { UserName: userName })) {
      keys.push(...(page.AccessKeyMetadata ?? []));
    }
  } catch (error) {
    if (!(error instanceof NoSuchEntityException)) throw error;
    const summary = `IAM user ${userName} no longer exists`;
    return {
      action: 'deactivate-access-key',
      entity,
      tags: [],
      state: 'missing',
      summary,
      details,
      apply: noop,
    };
  }
  const key = keys.find((candidate) => candidate.AccessKeyId === accessKeyId);
  const base = { action: 'deactivate-access-key', entity, tags };
  if (key === undefined) {
    return {
      ...base,
      state: 'missing',
      summary: `access key ${accessKeyId} of ${userName} no longer exists`,
      details,
      apply: noop,
    };
  }
  if (key.Status === 'Inactive') {
    return {
      ...base,
      state: 'already-remediated',
      summary: `access key ${accessKeyId} of ${userName} is already inactive`,
      details,
      apply: noop,
    };
  }
  return {
    ...base,
    state: 'needs-change',
    summary: `deactivate access key ${accessKeyId} of IAM user ${userName}`,
    details,
    apply: async () => {
      await iam.send(
        new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }),
      );
    },
  };
}

async function noop(): Promise<void> {}
