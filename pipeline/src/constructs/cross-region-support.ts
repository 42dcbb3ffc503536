import { acrossPacks, suppress } from '@sep/infra';
import { Aws, type IResolvable, type IResolveContext, Stack, Token } from 'aws-cdk-lib';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { createAccessLogBucket } from './access-log-bucket';
import { NONCURRENT_ARTIFACT_DAYS } from './pipeline-artifacts';
import { accountKeyPolicyStatements } from './platform-key';

/** Prefix of the replication buckets' server access logs in their region's access-log bucket. */
export const REPLICATION_ACCESS_LOG_PREFIX = 'replication/';

/** One region's replication bucket, as aws-codepipeline created it in its support stack. */
export interface HardenedRegionSupport {
  readonly region: string;
  readonly stack: Stack;
  readonly replicationBucket: s3.IBucket;
  readonly accessLogBucket: s3.Bucket;
  /** The alias of the replication bucket's customer-managed key (the pipeline role is held to it). */
  readonly keyAlias: string;
}

/**
 * CodePipeline keeps the artifacts of actions in another region in a replication bucket of that region,
 * which aws-codepipeline creates in a support stack of the pipeline account (`<pipeline stack>-support-
 * <region>`). Those stacks are outside the pipeline stack's constructs, so this brings them to the bar of
 * the pipeline's own artifact bucket — versioned, server access logs, TLS 1.2+, superseded versions
 * expire — and narrows the pipeline role's grant on their keys.
 *
 * The grant: aws-kms cannot name a key in another region by ARN (the key ID is random), so for a
 * cross-environment grant it writes `Resource: "*"` into the pipeline role's policy, which would let the
 * role use ANY key whose key policy trusts the account. Each such statement is rewritten to the region's
 * `key/*` held to the replication key by `kms:ResourceAliases` (KMS evaluates alias conditions on
 * Encrypt, Decrypt, ReEncrypt*, GenerateDataKey* and DescribeKey).
 *
 * The key policy: aws-codepipeline builds the replication key with aws-kms's default policy (`kms:*`
 * for the account) and key grants with `kms:ReEncrypt*`/`kms:GenerateDataKey*`; it is rewritten to
 * the pipeline keys' policy (KEY_ADMIN_ACTIONS plus use delegated to IAM, `accountKeyPolicyStatements`)
 * and the wildcards to the actions they stand for on a symmetric key (cdk-nag pack Sep).
 *
 * Call after `CodePipeline.buildPipeline()` (the support stacks exist only then).
 */
export function hardenCrossRegionSupport(
  pipelines: readonly codepipeline.Pipeline[],
): HardenedRegionSupport[] {
  const supports: HardenedRegionSupport[] = [];
  // Pipelines of one account share each region's support stack (aws-codepipeline finds it by account and region).
  const seen = new Map<Stack, HardenedRegionSupport>();
  const regions = pipelines.flatMap((pipeline) => Object.entries(pipeline.crossRegionSupport));
  for (const [region, support] of regions) {
    const { stack, replicationBucket } = support;
    if (seen.has(stack)) continue;
    if (!(replicationBucket instanceof s3.Bucket)) continue;
    const key = replicationBucket.encryptionKey as kms.IAlias | undefined;
    if (key === undefined || !('aliasName' in key)) {
      throw new Error(
        `the ${region} replication bucket has no customer-managed key alias: the pipeline must be built with crossAccountKeys`,
      );
    }
    // ACLs stay disabled: S3 delivers the logs under this bucket policy (the LogDeliveryWrite ACL's successor).
    const accessLogBucket = createAccessLogBucket(stack, 'ReplicationAccessLogBucket');
    accessLogBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3ServerAccessLogsOfTheReplicationBucket',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [accessLogBucket.arnForObjects(`${REPLICATION_ACCESS_LOG_PREFIX}*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': replicationBucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    // aws-codepipeline builds the bucket with no props for these: set on its CloudFormation resource.
    const cfnBucket = replicationBucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.versioningConfiguration = { status: 'Enabled' };
    cfnBucket.loggingConfiguration = {
      destinationBucketName: accessLogBucket.bucketName,
      logFilePrefix: REPLICATION_ACCESS_LOG_PREFIX,
    };
    cfnBucket.lifecycleConfiguration = {
      rules: [
        {
          id: 'expire-superseded-artifacts',
          status: 'Enabled',
          noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_ARTIFACT_DAYS },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    };
    replicationBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyTlsBelow12',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:*'],
        resources: [replicationBucket.bucketArn, replicationBucket.arnForObjects('*')],
        conditions: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
      }),
    );
    suppress(
      replicationBucket,
      acrossPacks(
        ['PCI.DSS.321-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled'],
        'A replication bucket holds the copies of pipeline artifacts that actions in its region read; CodePipeline copies them again from the artifact bucket on every run, so a replica of the replica would hold nothing that cannot be rebuilt.',
      ),
    );
    if (key instanceof kms.Alias && key.aliasTargetKey instanceof kms.Key)
      nameKeyPolicyActions(key.aliasTargetKey);
    const hardened: HardenedRegionSupport = {
      region,
      stack,
      replicationBucket,
      accessLogBucket,
      keyAlias: Stack.of(pipelines[0] as codepipeline.Pipeline).resolve(key.aliasName) as string,
    };
    seen.set(stack, hardened);
    supports.push(hardened);
  }
  for (const pipeline of pipelines) {
    const own = Object.values(pipeline.crossRegionSupport)
      .map((support) => seen.get(support.stack))
      .filter((support): support is HardenedRegionSupport => support !== undefined);
    if (own.length > 0 && pipeline.role instanceof iam.Role) scopeKeyGrants(pipeline.role, own);
  }
  return supports;
}

/** The actions aws-kms's grant wildcards stand for on a symmetric encryption key. */
export const KEY_GRANT_WILDCARDS: Readonly<Record<string, readonly string[]>> = {
  'kms:ReEncrypt*': ['kms:ReEncryptFrom', 'kms:ReEncryptTo'],
  'kms:GenerateDataKey*': ['kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'],
};

/**
 * Replaces the default `kms:*` statement for the account by the pipeline keys' administration and
 * use-delegation statements, and expands the grant wildcards of the other statements. Set on the
 * CloudFormation property itself (as `scopeKeyGrants`) so cdk-nag sees what deploys.
 */
function nameKeyPolicyActions(key: kms.Key): void {
  const cfnKey = key.node.defaultChild as kms.CfnKey;
  // The key's PolicyDocument (grants added later still land in it).
  const document: unknown = cfnKey.keyPolicy;
  const named = new iam.PolicyDocument({ statements: accountKeyPolicyStatements() });
  cfnKey.keyPolicy = resolvable((context) => {
    const resolved = context.resolve(document) as { Statement?: PolicyStatementJson[] };
    const statements: PolicyStatementJson[] = [];
    for (const statement of resolved.Statement ?? []) {
      const actions = ([] as string[]).concat(statement.Action ?? []);
      if (statement.Effect === 'Allow' && actions.length === 1 && actions[0] === 'kms:*') {
        statements.push(
          ...((context.resolve(named) as { Statement: PolicyStatementJson[] }).Statement ?? []),
        );
        continue;
      }
      const expanded = [...new Set(actions.flatMap((action) => KEY_GRANT_WILDCARDS[action] ?? [action]))];
      statements.push({ ...statement, Action: expanded.length === 1 ? expanded[0] : expanded });
    }
    return { ...resolved, Statement: statements };
  });
}

/** `kms:` actions only: the statements aws-kms writes for a cross-environment key grant. */
function isKeyStatement(statement: PolicyStatementJson): boolean {
  const actions = ([] as string[]).concat(statement.Action ?? []);
  return actions.length > 0 && actions.every((action) => action.startsWith('kms:'));
}

interface PolicyStatementJson {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: unknown;
  readonly Sid?: string;
}

function scopeKeyGrants(role: iam.Role, supports: readonly HardenedRegionSupport[]): void {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (!(policy instanceof iam.Policy)) return;
  const cfnPolicy = policy.node.defaultChild as iam.CfnPolicy;
  const document = policy.document;
  const regionKeys = (statement: PolicyStatementJson): PolicyStatementJson[] =>
    supports.map((support) => ({
      ...statement,
      Resource: `arn:${Aws.PARTITION}:kms:${support.region}:${Stack.of(support.stack).account}:key/*`,
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': support.keyAlias } },
    }));
  // Set on the CloudFormation property itself (not as an override) so that cdk-nag sees what deploys.
  cfnPolicy.policyDocument = resolvable((context) => {
    const resolved = context.resolve(document) as { Statement?: PolicyStatementJson[] };
    const statements: PolicyStatementJson[] = [];
    for (const statement of resolved.Statement ?? []) {
      const resources = ([] as unknown[]).concat(statement.Resource ?? []);
      if (statement.Effect !== 'Allow' || !resources.includes('*') || !isKeyStatement(statement)) {
        statements.push(statement);
        continue;
      }
      const named = resources.filter((resource) => resource !== '*');
      if (named.length > 0)
        statements.push({ ...statement, Resource: named.length === 1 ? named[0] : named });
      statements.push(...regionKeys({ ...statement, Resource: undefined }));
    }
    return { ...resolved, Statement: statements };
  });
}

/** A value computed when CloudFormation properties are resolved (Lazy producers get no resolve context). */
function resolvable(resolve: (context: IResolveContext) => unknown): IResolvable {
  return {
    creationStack: [],
    resolve,
    toString: () => Token.asString({ resolve }),
  };
}
