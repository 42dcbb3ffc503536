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
        // Environments pipeline: start (requests, teardown restart), state (progress), executions (teardown wait).
        'codepipeline:StartPipelineExecution',
        'codepipeline:GetPipelineState',
        'codepipeline:ListPipelineExecutions',
        // Both pipelines: the evidence bundle's deploying execution and its source revision.
        'codepipeline:ListActionExecutions',
        'codepipeline:GetPipelineExecution',
        'codepipeline:ListActionExecutions',
        'codepipeline:GetPipelineExecution',
        // Release pipeline: state (pipeline page, staging/prod progress, pending promotion), executions (who
        // asked for what waits), the decision.
        'codepipeline:GetPipelineState',
        'codepipeline:ListPipelineExecutions',
        'codepipeline:PutApprovalResult',
        // Every CloudFormation and Config call happens in the target account, as its platform-access role.
        'sts:AssumeRole',
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
        // Sessions ended on the server, shared by the portal's tasks.
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:DescribeKey',
        // Evidence bundles: the signature and the public key verifiers use.
        'kms:Sign',
        'kms:GetPublicKey',
        's3:GetObject',
        's3:ListBucket',
        'kms:Decrypt',
      ].sort(),
    );
  });

  it('has no wildcard action, no NotAction and no Resource "*"', () => {
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement).not.toHaveProperty('NotAction');
      for (const action of actions(statement)) expect(action).not.toMatch(/\*/);
      expect(statement.Resource).not.toBe('*');
    }
  });

  it("assumes exactly each target's platform-access role, by name", () => {
    const assume = statements.find((s) => s.Sid === 'AssumeTargetPlatformAccessRoles');
    expect(actions(assume as Statement)).toEqual(['sts:AssumeRole']);
    expect(resolved(assume?.Resource)).toBe(
      JSON.stringify([
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              `:iam::${PIPELINE_ACCOUNT}:role/sep-account-us-east-1-platform`,
            ],
          ],
        },
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':iam::333333333333:role/sep-account-us-east-1-platform'],
          ],
        },
      ]),
    );
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'sep-delivery-portal' });
  });

  it('drives only the environments pipeline and approves only the prod promotion of the release pipeline', () => {
    const pipelineArn = stack.resolve(stack.pipeline.pipeline.pipelineArn);
    const releaseArn = stack.resolve(stack.releasePipeline.pipeline.pipelineArn);
    const drive = statements.find((s) => actions(s).includes('codepipeline:StartPipelineExecution'));
    expect(drive?.Resource).toEqual(pipelineArn);
    const read = statements.find((s) => s.Sid === 'ReadReleasePipeline');
    expect([actions(read as Statement), read?.Resource]).toEqual([
      [
        'codepipeline:GetPipelineState',
        'codepipeline:ListPipelineExecutions',
        'codepipeline:ListActionExecutions',
        'codepipeline:GetPipelineExecution',
      ],
      releaseArn,
    ]);
    const approve = statements.find((s) => actions(s).includes('codepipeline:PutApprovalResult'));
    const approved = resolved(approve?.Resource);
    expect(approved).toContain(JSON.stringify(stack.resolve(stack.releasePipeline.pipeline.pipelineName)));
    expect(approved).toContain('"/prod/PromoteToProd"');
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

  it('reads and writes ended sessions in the session table only, with nothing to delete or scan', () => {
    const sessions = statements.find((s) => s.Sid === 'Sessions');
    expect(actions(sessions as Statement)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(sessions?.Resource).toEqual(stack.resolve(stack.sessions.table.tableArn));
    const key = statements.find((s) => s.Sid === 'SessionsKey');
    expect(key?.Condition?.StringEquals?.['kms:ViaService']).toBe('dynamodb.us-east-1.amazonaws.com');
  });

  it('signs evidence with the evidence signing key only, and may not encrypt, decrypt or verify with it', () => {
    const sign = statements.find((s) => s.Sid === 'SignEvidence');
    expect(actions(sign as Statement)).toEqual(['kms:Sign', 'kms:GetPublicKey']);
    expect(sign?.Resource).toEqual(stack.resolve(stack.evidenceSigning.key.keyArn));
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
});
