import { environmentSpecSchema } from '@sep/spec';
import { complianceDelta, computePromotionPreview, confirmationPhrase } from './promotion-preview';

const sg = (ingress: unknown[]) => ({
  Type: 'AWS::EC2::SecurityGroup',
  Properties: { GroupDescription: 'api', VpcId: 'vpc-1', SecurityGroupIngress: ingress },
});
const table = (partitionKey: string, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::DynamoDB::Table',
  ...extra,
  Properties: {
    KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  },
});
const role = (actions: string[]) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: {
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    },
    Policies: [
      {
        PolicyName: 'app',
        PolicyDocument: {
          Statement: [{ Effect: 'Allow', Action: actions, Resource: 'arn:aws:s3:::data/*' }],
        },
      },
    ],
  },
});
const HTTPS_FROM_VPC = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/16' };
const HTTPS_FROM_ANYWHERE = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' };

const deployedTemplate = {
  Resources: {
    ApiSg: sg([HTTPS_FROM_VPC]),
    Orders: table('id'),
    Audit: table('pk', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' }),
    Logs: { Type: 'AWS::S3::Bucket', Properties: {} },
    AppRole: role(['s3:GetObject']),
    Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'old' } },
  },
};

const nagReport = (
  suppressed: { ruleId: string; resource: string; reason: string }[],
  errors: { ruleId: string; resource: string; message?: string }[] = [],
) => ({
  packs: [{ pack: 'AwsSolutions', rulesChecked: 10, passed: 8, suppressed, errors, warnings: [] }],
});

const spec = (features: Record<string, unknown>) =>
  environmentSpecSchema.parse({
    environmentSuffix: 'prod',
    kind: 'prod',
    owner: 'team-a',
    project: 'shop',
    alertEmails: ['ops@example.com'],
    allowedCidrs: ['10.0.0.0/8'],
    costCenter: 'cc-1',
    region: 'us-east-1',
    features,
  });

describe('computePromotionPreview', () => {
  it('is quiet when the templates are the same', () => {
    const preview = computePromotionPreview({
      executionId: 'abcdef0123456789',
      stacks: [
        {
          stackName: 'Prod',
          environmentSuffix: 'prod',
          deployed: { template: deployedTemplate },
          next: { template: deployedTemplate },
        },
      ],
    });
    expect(preview.flagged).toBe(false);
    expect(preview.stacks[0]?.resources).toEqual([]);
    expect(preview.stacks[0]?.counts).toEqual({ added: 0, modified: 0, replaced: 0, removed: 0 });
    expect(preview.confirmationPhrase).toBe('promote abcdef01');
  });

  it('lists added, modified, replaced and removed resources and flags stateful loss and security widening', () => {
    const nextTemplate = {
      Resources: {
        ApiSg: sg([HTTPS_FROM_VPC, HTTPS_FROM_ANYWHERE]),
        // A new partition key: DynamoDB replaces the table, and nothing retains the old one.
        Orders: table('orderId'),
        // Replaced too, but UpdateReplacePolicy Retain keeps the old table: not flagged.
        Audit: table('auditId', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' }),
        AppRole: role(['s3:GetObject', 's3:PutObject']),
        Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'new' } },
        Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
      },
    };
    const preview = computePromotionPreview({
      executionId: 'e1234567-aaaa',
      stacks: [
        {
          stackName: 'Prod',
          environmentSuffix: 'prod',
          deployed: { template: deployedTemplate },
          next: { template: nextTemplate },
        },
      ],
    });
    const stack = preview.stacks[0];
    expect(stack?.available).toBe(true);
    const byId = Object.fromEntries((stack?.resources ?? []).map((r) => [r.logicalId, r]));
    expect(byId.Queue?.change).toBe('added');
    expect(byId.Topic).toMatchObject({
      change: 'modified',
      stateful: false,
      properties: [{ property: 'DisplayName', oldValue: '"old"', newValue: '"new"' }],
    });
    expect(byId.Orders).toMatchObject({ change: 'replaced', stateful: true, retained: false });
    expect(byId.Audit).toMatchObject({ change: 'replaced', stateful: true, retained: true });
    expect(byId.Logs).toMatchObject({
      change: 'removed',
      resourceType: 'AWS::S3::Bucket',
      stateful: true,
      retained: false,
    });
    expect(stack?.counts).toMatchObject({ added: 1, removed: 1, replaced: 2 });

    expect(stack?.security.permissionsBroadened).toBe(true);
    expect(stack?.security.securityGroupRules).toEqual([
      expect.objectContaining({
        change: 'added',
        direction: 'ingress',
        widens: true,
        peer: 'Everyone (IPv4)',
      }),
    ]);
    expect(stack?.security.iamStatements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          change: 'added',
          widens: true,
          actions: expect.stringContaining('s3:PutObject'),
        }),
      ]),
    );

    expect(preview.flagged).toBe(true);
    expect(preview.flags).toEqual([
      'Prod: AWS::DynamoDB::Table Orders will be replaced',
      'Prod: AWS::S3::Bucket Logs will be removed',
      'Prod: security widened (IAM statements or security-group rules)',
    ]);
    expect(preview.confirmationPhrase).toBe(confirmationPhrase('e1234567-aaaa'));
    expect(preview.confirmationPhrase).toBe('promote e1234567');
  });

  it('does not flag a narrowing: a removed ingress rule', () => {
    const preview = computePromotionPreview({
      executionId: 'e-2',
      stacks: [
        {
          stackName: 'Prod',
          environmentSuffix: 'prod',
          deployed: { template: { Resources: { ApiSg: sg([HTTPS_FROM_VPC, HTTPS_FROM_ANYWHERE]) } } },
          next: { template: { Resources: { ApiSg: sg([HTTPS_FROM_VPC]) } } },
        },
      ],
    });
    expect(preview.stacks[0]?.security.securityGroupRules).toEqual([
      expect.objectContaining({ change: 'removed', widens: false }),
    ]);
    expect(preview.flagged).toBe(false);
  });

  it('says why a stack has no preview, prices its next spec and flags nothing', () => {
    const preview = computePromotionPreview({
      executionId: 'e-3',
      stacks: [
        {
          stackName: 'Prod',
          environmentSuffix: 'prod',
          unavailableReason: 'first deploy',
          next: { template: deployedTemplate, spec: spec({}) },
        },
      ],
    });
    expect(preview.stacks[0]).toMatchObject({
      available: false,
      unavailableReason: 'first deploy',
      flags: [],
    });
    expect(preview.stacks[0]?.cost?.next.monthlyUsd).toBeGreaterThan(0);
    expect(preview.stacks[0]?.cost?.deltaMonthlyUsd).toBeUndefined();
    expect(preview.flagged).toBe(false);
  });

  it('flags a stack whose new template cannot be read: approving it would approve unseen changes', () => {
    const preview = computePromotionPreview({
      executionId: 'e-5',
      stacks: [
        {
          stackName: 'Prod',
          environmentSuffix: 'prod',
          deployed: { template: deployedTemplate, spec: spec({}) },
          unavailableReason: 'execution e-5 published no template for Prod',
        },
      ],
    });
    expect(preview.stacks[0]).toMatchObject({
      available: false,
      unavailableReason: 'execution e-5 published no template for Prod',
      flags: ['what it deploys cannot be shown (its template could not be read)'],
    });
    expect(preview.stacks[0]?.cost).toBeUndefined();
    expect(preview.flagged).toBe(true);
    expect(preview.flags).toEqual(['Prod: what it deploys cannot be shown (its template could not be read)']);
  });

  it('prices the cost delta with the form cost model', () => {
    const preview = computePromotionPreview({
      executionId: 'e-4',
      stacks: [
        {
          stackName: 'Prod',
          environmentSuffix: 'prod',
          deployed: { template: deployedTemplate, spec: spec({ database: false }) },
          next: { template: deployedTemplate, spec: spec({ database: true }) },
        },
      ],
    });
    const cost = preview.stacks[0]?.cost;
    expect(cost?.deltaMonthlyUsd).toBeGreaterThan(0);
    expect(cost?.deltaMonthlyUsd).toBeCloseTo(
      (cost?.next.monthlyUsd ?? 0) - (cost?.deployed?.monthlyUsd ?? 0),
      2,
    );
  });
});

describe('complianceDelta', () => {
  it('lists findings and suppressions that appear and disappear', () => {
    const before = nagReport(
      [{ ruleId: 'AwsSolutions-IAM5', resource: 'Prod/AppRole', reason: 'scoped to the data bucket' }],
      [{ ruleId: 'AwsSolutions-S1', resource: 'Prod/Logs', message: 'no access logs' }],
    );
    const after = nagReport(
      [
        { ruleId: 'AwsSolutions-IAM5', resource: 'Prod/AppRole', reason: 'scoped to the data bucket' },
        { ruleId: 'AwsSolutions-EC23', resource: 'Prod/ApiSg', reason: 'public API' },
      ],
      [],
    );
    expect(complianceDelta(before, after)).toEqual({
      available: true,
      entries: [
        {
          pack: 'AwsSolutions',
          kind: 'suppression',
          change: 'appears',
          ruleId: 'AwsSolutions-EC23',
          resource: 'Prod/ApiSg',
          detail: 'public API',
        },
        {
          pack: 'AwsSolutions',
          kind: 'error',
          change: 'disappears',
          ruleId: 'AwsSolutions-S1',
          resource: 'Prod/Logs',
          detail: 'no access logs',
        },
      ],
    });
  });

  it('is unavailable when either report cannot be read', () => {
    expect(complianceDelta(undefined, nagReport([]))).toEqual({ available: false, entries: [] });
    expect(complianceDelta(nagReport([]), { not: 'a report' })).toEqual({ available: false, entries: [] });
  });
});
