import { Stack } from 'aws-cdk-lib';
import { environment, PIPELINE_ACCOUNT, synthesizePipeline } from '../test-support/pipeline-fixture';

const { template, stack } = synthesizePipeline({
  environments: [
    environment({ environmentSuffix: 'pr-1' }),
    environment({
      environmentSuffix: 'prod',
      kind: 'prod',
      account: '333333333333',
      alertEmails: ['ops@example.com'],
    }),
  ],
});

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string>>;
}

const roleId = stack.getLogicalId(stack.portalRole.role.node.defaultChild as never);
const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
  JSON.stringify(policy.Properties.Roles).includes(roleId),
);
const statements: Statement[] = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
const actions = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];
const resolved = (value: unknown) => JSON.stringify(Stack.of(stack).resolve(value));

describe('portal role', () => {
  it('allows exactly the calls the portal makes', () => {
    expect(statements.flatMap(actions).sort()).toEqual(
      [
        'codepipeline:StartPipelineExecution',
        'codepipeline:GetPipelineState',
        'codepipeline:GetPipelineExecution',
        'codepipeline:ListPipelineExecutions',
        'codepipeline:PutApprovalResult',
        'cloudformation:DescribeStacks',
        'cloudformation:DescribeStackEvents',
        'cloudformation:DescribeStackResources',
        'cloudformation:DescribeStackResourceDrifts',
        'cloudformation:GetTemplate',
        'cloudformation:ListStackResources',
        'cloudformation:DetectStackDrift',
        'cloudformation:DescribeStackDriftDetectionStatus',
        'cloudformation:DeleteStack',
        'config:DescribeConfigRules',
        'config:DescribeComplianceByConfigRule',
        'config:GetComplianceDetailsByConfigRule',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Scan',
        'dynamodb:DescribeTable',
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:DescribeKey',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:DescribeKey',
        's3:GetObject',
        's3:ListBucket',
        'kms:Decrypt',
      ].sort(),
    );
  });

  it('has no wildcard action and no NotAction', () => {
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement).not.toHaveProperty('NotAction');
      for (const action of actions(statement)) expect(action).not.toMatch(/\*/);
    }
  });

  it('deletes only stacks tagged EnvironmentKind=ephemeral, and only sep- stacks', () => {
    const deletes = statements.filter((statement) =>
      actions(statement).includes('cloudformation:DeleteStack'),
    );
    expect(deletes).toHaveLength(1);
    const [remove] = deletes;
    expect(actions(remove as Statement)).toEqual(['cloudformation:DeleteStack']);
    expect(remove?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/EnvironmentKind': 'ephemeral' } });
    expect(resolved(remove?.Resource)).toContain(`:cloudformation:*:${PIPELINE_ACCOUNT}:stack/sep-*/*`);
    expect(resolved(remove?.Resource)).not.toMatch(/"\*"/);
  });

  it('drives only this pipeline and approves only the prod promotion', () => {
    const pipelineArn = stack.resolve(stack.pipeline.pipeline.pipelineArn);
    const drive = statements.find((s) => actions(s).includes('codepipeline:StartPipelineExecution'));
    expect(drive?.Resource).toEqual(pipelineArn);
    const approve = statements.find((s) => actions(s).includes('codepipeline:PutApprovalResult'));
    expect(resolved(approve?.Resource)).toContain('/prod/PromoteToProd');
  });

  it('reads and writes only the registry table', () => {
    const registry = statements.find((s) => s.Sid === 'Registry');
    expect(actions(registry as Statement)).toContain('dynamodb:PutItem');
    expect(registry?.Resource).toEqual(stack.resolve(stack.registry.table.tableArn));
  });

  it('records and reads the audit log, and only that table, with nothing to update or delete', () => {
    const audit = statements.find((s) => s.Sid === 'AuditLog');
    expect(actions(audit as Statement)).toEqual(['dynamodb:PutItem', 'dynamodb:Query']);
    expect(audit?.Resource).toEqual(stack.resolve(stack.auditLog.table.tableArn));
    const key = statements.find((s) => s.Sid === 'AuditLogKey');
    expect(key?.Condition?.StringEquals?.['kms:ViaService']).toBe('dynamodb.us-east-1.amazonaws.com');
  });

  it('reads the published cdk-nag reports only, decrypting them through S3 only', () => {
    const bucketArn = stack.resolve(stack.complianceReports.bucket.bucketArn);
    const read = statements.find((s) => actions(s).includes('s3:GetObject'));
    expect(actions(read as Statement)).toEqual(['s3:GetObject']);
    expect(read?.Resource).toEqual({ 'Fn::Join': ['', [bucketArn, '/nag-reports/*']] });
    // ListBucket makes a missing report answer 404 NoSuchKey rather than 403 AccessDenied.
    const list = statements.find((s) => actions(s).includes('s3:ListBucket'));
    expect(list?.Resource).toEqual(bucketArn);
    const decrypt = statements.filter((s) =>
      s.Condition?.StringEquals?.['kms:ViaService']?.startsWith('s3.'),
    );
    expect(decrypt.map((s) => [actions(s), s.Resource])).toEqual([
      [['kms:Decrypt'], stack.resolve(stack.registry.table.encryptionKey?.keyArn)],
    ]);
  });

  it('gives resource "*" only to the calls that take no resource-level permission', () => {
    const unscoped = statements
      .filter((s) => s.Resource === '*')
      .flatMap(actions)
      .sort();
    expect(unscoped).toEqual(['cloudformation:DescribeStackDriftDetectionStatus']);
  });

  it('allows each call of the destroy path (@sep/pipeline/teardown with the stack named), on sep- stacks only', () => {
    const allowing = (action: string) => statements.filter((s) => actions(s).includes(action));
    // Stack discovery and the waits: DescribeStacks by name and by stack ID, never a listing.
    for (const action of ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents']) {
      expect(allowing(action)).toHaveLength(1);
      const [statement] = allowing(action);
      expect(statement?.Condition).toBeUndefined();
      expect(resolved(statement?.Resource)).toContain(`:cloudformation:*:${PIPELINE_ACCOUNT}:stack/sep-*/*`);
      expect(resolved(statement?.Resource)).not.toMatch(/"\*"/);
    }
    expect(statements.flatMap(actions)).not.toContain('cloudformation:ListStacks');
    // Then the registry entry goes and the pipeline runs so self-mutation drops the stage.
    expect(allowing('dynamodb:DeleteItem')[0]?.Resource).toEqual(
      stack.resolve(stack.registry.table.tableArn),
    );
    expect(allowing('codepipeline:StartPipelineExecution')[0]?.Resource).toEqual(
      stack.resolve(stack.pipeline.pipeline.pipelineArn),
    );
  });
});
