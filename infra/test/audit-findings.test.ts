import type { EnvironmentSpecInput } from '@sep/spec';
import type { Template } from 'aws-cdk-lib/assertions';
import { ENDPOINT_ACCESS } from '../src/constructs/network-endpoints';
import { declaredSuppressions } from '../src/nag/suppressions';
import { ENVIRONMENT_TAG_KEYS } from '../src/tags';
import {
  type CfnResource,
  DEFAULT_SPEC_INPUT,
  PROD_ALL_FEATURES_INPUT,
  resources,
  synthesizeApp,
  TEST_ACCOUNT,
} from './fixtures';

/**
 * The findings of the December audit (issue 12, infra items), one describe per finding. One app:
 * an ephemeral environment importing a database secret, staging and prod with every feature (prod
 * with a cross-account auditor).
 */
const AUDITOR = { accountId: '222222222222', externalId: 'sep-audit-7f3c' };
const EPHEMERAL_IMPORT: EnvironmentSpecInput = {
  ...DEFAULT_SPEC_INPUT,
  environmentSuffix: 'pr9',
  existingDatabaseSecretArn: `arn:aws:secretsmanager:us-east-1:${TEST_ACCOUNT}:secret:db-AbCdEf`,
};
const STAGING: EnvironmentSpecInput = {
  ...PROD_ALL_FEATURES_INPUT,
  environmentSuffix: 'stg',
  kind: 'staging',
};
const PROD: EnvironmentSpecInput = { ...PROD_ALL_FEATURES_INPUT, crossAccountAuditor: AUDITOR };

const fixture = synthesizeApp([EPHEMERAL_IMPORT, STAGING, PROD]);
const [ephemeral, staging, prod] = fixture.templates as [Template, Template, Template];
const all = [ephemeral, staging, prod];

/** A property the test expects to be there; fails loudly when it is not. */
function prop<T>(resource: CfnResource | undefined, name: string): T {
  const value = resource?.Properties?.[name];
  if (value === undefined) throw new Error(`${resource?.Type ?? 'missing resource'} has no ${name}`);
  return value as T;
}

const ofType = (template: Template, type: string) => resources(template).filter(([, r]) => r.Type === type);
type Statement = {
  Sid?: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
  Principal?: unknown;
};
const statementsOf = (document: unknown) => (document as { Statement: Statement[] }).Statement;
const actionsOf = (statement: Statement) => [statement.Action].flat();
const output = (template: Template, key: string) =>
  (template.toJSON().Outputs as Record<string, { Value: unknown }>)[key]?.Value;

describe('2. interface endpoints: this account principals, this account resources, none open', () => {
  it('gives every interface endpoint a policy, and every statement the aws:PrincipalAccount condition', () => {
    for (const template of all) {
      const endpoints = ofType(template, 'AWS::EC2::VPCEndpoint');
      expect(endpoints.length).toBeGreaterThanOrEqual(11);
      for (const [id, endpoint] of endpoints) {
        const document = endpoint.Properties?.PolicyDocument;
        expect({ id, document: document === undefined ? 'open' : 'policy' }).toEqual({
          id,
          document: 'policy',
        });
        for (const statement of statementsOf(document)) {
          expect(actionsOf(statement)).not.toContain('*');
          expect(JSON.stringify(statement.Condition)).toContain('aws:PrincipalAccount');
        }
      }
    }
  });

  it('holds every call that acts on a resource to this account resources (aws:ResourceAccount)', () => {
    const resourceActions = new Set(
      Object.values(ENDPOINT_ACCESS).flatMap((access) => access.resourceActions),
    );
    for (const [, endpoint] of ofType(prod, 'AWS::EC2::VPCEndpoint')) {
      for (const statement of statementsOf(endpoint.Properties?.PolicyDocument ?? { Statement: [] })) {
        if (statement.Resource !== '*') continue;
        if (!actionsOf(statement).some((action) => resourceActions.has(action))) continue;
        expect(statement.Condition).toEqual({
          StringEquals: { 'aws:PrincipalAccount': TEST_ACCOUNT, 'aws:ResourceAccount': TEST_ACCOUNT },
        });
      }
    }
    // The private API's execute-api endpoint: this account's APIs by ARN.
    const executeApi = ofType(prod, 'AWS::EC2::VPCEndpoint').find(([id]) => id.includes('ExecuteApi'));
    const [invoke] = statementsOf(executeApi?.[1].Properties?.PolicyDocument);
    expect(invoke).toMatchObject({ Action: 'execute-api:Invoke' });
    expect(JSON.stringify(invoke?.Resource)).toContain(`:execute-api:us-east-1:${TEST_ACCOUNT}:*`);
  });
});

describe('3. remediation in staging and prod', () => {
  it('acts in prod (DRY_RUN false)', () => {
    for (const template of all) {
      const remediation = ofType(template, 'AWS::Lambda::Function').find(([id]) =>
        id.startsWith('Remediation'),
      );
      const variables = prop<{ Variables: Record<string, unknown> }>(
        remediation?.[1],
        'Environment',
      ).Variables;
      expect(variables.DRY_RUN).toBe('false');
    }
  });
});

describe('4. cross-account auditor', () => {
  it('trusts the auditor account with its external ID only, read-only, one-hour sessions', () => {
    const roles = ofType(prod, 'AWS::IAM::Role').filter(([id]) => id.includes('AuditorRole'));
    expect(roles).toHaveLength(1);
    const role = roles[0]?.[1] as CfnResource;
    expect(role.Properties?.MaxSessionDuration).toBe(3600);
    const trust = JSON.stringify(role.Properties?.AssumeRolePolicyDocument);
    expect(trust).toContain(':iam::222222222222:root');
    expect(trust).toContain('"sts:ExternalId":"sep-audit-7f3c"');
    expect(String(output(prod, 'SecurityFeatures'))).toContain('cross-account-auditor');
  });
});

describe('5. imported database secret', () => {
  it('says in the output that an imported secret is rotated by its owner, not by the stage', () => {
    const features = String(output(ephemeral, 'SecurityFeatures'));
    expect(features).toContain('imported-secret-owner-rotated');
    expect(features).not.toContain('secret-rotation-30d');
    expect(String(output(prod, 'SecurityFeatures'))).toContain('secret-rotation-30d');
  });
});

describe('6. security logs: a year in staging and prod, 90 days immediately available', () => {
  const archivedGroups = (template: Template) =>
    ofType(template, 'AWS::Logs::SubscriptionFilter').map(([id]) => id);

  it.each([
    ['staging', staging],
    ['prod', prod],
  ])('%s archives API, WAF, Aurora audit and firewall logs to the audit bucket', (_kind, template) => {
    const ids = archivedGroups(template).join(' ');
    for (const label of ['ArchiveApi', 'ArchiveWaf', 'ArchiveDatabaseAudit', 'ArchiveFirewall']) {
      expect(ids).toContain(label);
    }
  });

  it('keeps flow, audit and access logs in S3 Standard 90 days and in S3 at least 365 days', () => {
    for (const template of [staging, prod]) {
      for (const [id, bucket] of ofType(template, 'AWS::S3::Bucket')) {
        if (id.startsWith('StorageDataBucket')) continue;
        const rules = prop<{ Rules: Record<string, unknown>[] }>(bucket, 'LifecycleConfiguration').Rules;
        for (const rule of rules) {
          expect(rule.ExpirationInDays).toBeGreaterThanOrEqual(365);
          for (const transition of (rule.Transitions as { TransitionInDays: number }[]) ?? []) {
            expect(transition.TransitionInDays).toBeGreaterThanOrEqual(90);
          }
        }
      }
    }
  });

  it('keeps every log group at least 90 days in CloudWatch', () => {
    for (const template of all) {
      for (const [, group] of ofType(template, 'AWS::Logs::LogGroup')) {
        expect(group.Properties?.RetentionInDays).toBeGreaterThanOrEqual(90);
      }
    }
  });
});

describe('7. prod: Object Lock on security logs, vaulted backups', () => {
  it('locks the prod audit and flow-log buckets in governance mode for 365 days', () => {
    for (const prefix of ['StorageAuditLogBucket', 'StorageFlowLogBucket']) {
      const bucket = ofType(prod, 'AWS::S3::Bucket').find(([id]) => id.startsWith(prefix))?.[1];
      expect(bucket?.Properties?.ObjectLockEnabled).toBe(true);
      expect(bucket?.Properties?.ObjectLockConfiguration).toEqual({
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
      });
    }
    for (const template of [ephemeral, staging]) {
      for (const [, bucket] of ofType(template, 'AWS::S3::Bucket')) {
        expect(bucket.Properties?.ObjectLockEnabled).toBeUndefined();
      }
    }
  });

  it('backs up the prod tables and database to a KMS vault, and nothing else has a plan', () => {
    const [vault] = ofType(prod, 'AWS::Backup::BackupVault');
    expect(JSON.stringify(vault?.[1].Properties?.EncryptionKeyArn)).toContain('KeysData');
    const [selection] = ofType(prod, 'AWS::Backup::BackupSelection');
    const selected = JSON.stringify(selection?.[1].Properties?.BackupSelection);
    expect(selected).toContain('StorageAuditTable');
    expect(selected).toContain('StorageTransactionsTable');
    expect(selected).toContain(':rds:');
    for (const template of [ephemeral, staging]) template.resourceCountIs('AWS::Backup::BackupPlan', 0);
  });
});

describe('8. flow-log bucket policy declares the log delivery statements', () => {
  it('lets delivery.logs.amazonaws.com write under vpc/AWSLogs/<account>/ and check the bucket', () => {
    for (const template of all) {
      const policy = ofType(template, 'AWS::S3::BucketPolicy').find(([, p]) =>
        JSON.stringify(p.Properties?.Bucket).includes('StorageFlowLogBucket'),
      )?.[1];
      const statements = statementsOf(policy?.Properties?.PolicyDocument);
      const bySid = (sid: string) => statements.find((statement) => statement.Sid === sid);
      expect(bySid('AWSLogDeliveryWrite')).toMatchObject({
        Principal: { Service: 'delivery.logs.amazonaws.com' },
        Action: 's3:PutObject',
        Condition: { StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT } },
      });
      expect(JSON.stringify(bySid('AWSLogDeliveryWrite')?.Resource)).toContain(
        `/vpc/AWSLogs/${TEST_ACCOUNT}/*`,
      );
      expect(bySid('AWSLogDeliveryAclCheck')).toMatchObject({
        Principal: { Service: 'delivery.logs.amazonaws.com' },
        Action: ['s3:GetBucketAcl', 's3:ListBucket'],
      });
    }
  });
});

describe('9. Network Firewall: each zone routes to its own zone endpoint', () => {
  it("picks each route's endpoint by its subnet's zone, never by position in EndpointIds", () => {
    const json = prod.toJSON().Resources as Record<string, CfnResource>;
    const zoneOfRouteTable = new Map<string, string>();
    for (const association of Object.values(json)) {
      if (association.Type !== 'AWS::EC2::SubnetRouteTableAssociation') continue;
      const table = prop<{ Ref: string }>(association, 'RouteTableId').Ref;
      const subnet = json[prop<{ Ref: string }>(association, 'SubnetId').Ref];
      zoneOfRouteTable.set(table, String(subnet?.Properties?.AvailabilityZone));
    }
    const routes = ofType(prod, 'AWS::EC2::Route').filter(
      ([, r]) => r.Properties?.VpcEndpointId !== undefined,
    );
    expect(routes).toHaveLength(3);
    const zones = new Set<string>();
    for (const [, route] of routes) {
      const zone = zoneOfRouteTable.get(prop<{ Ref: string }>(route, 'RouteTableId').Ref) ?? 'none';
      zones.add(zone);
      const endpoint = JSON.stringify(route.Properties?.VpcEndpointId);
      expect(endpoint).toContain(`"Fn::Split":["${zone}:"`);
      // No Fn::Select straight on the EndpointIds list (a position AWS does not order by zone).
      expect(endpoint).not.toMatch(
        /"Fn::Select":\[\d+,\{"Fn::GetAtt":\["NetworkFirewall[0-9A-F]+","EndpointIds"\]\}\]/,
      );
    }
    expect(zones.size).toBe(3);
  });
});

describe('10. CDK helper roles and functions carry the environment tags', () => {
  it('tags every role and function, aws-cdk-lib custom-resource providers included', () => {
    for (const template of all) {
      for (const [id, resource] of resources(template)) {
        if (resource.Type !== 'AWS::IAM::Role' && resource.Type !== 'AWS::Lambda::Function') continue;
        const keys = ((resource.Properties?.Tags as { Key: string }[] | undefined) ?? []).map(
          (tag) => tag.Key,
        );
        expect({ id, missing: ENVIRONMENT_TAG_KEYS.filter((key) => !keys.includes(key)) }).toEqual({
          id,
          missing: [],
        });
      }
    }
  });
});

describe('11. every suppression reason holds for the kind it is applied in', () => {
  it.each(fixture.stages.map((stage) => [stage.stack.spec.kind, stage] as const))(
    '%s: kind-bound reasons only where their kind is',
    (kind, stage) => {
      const misapplied = stage.stack.node.findAll().flatMap((construct) =>
        declaredSuppressions(construct)
          .filter((suppression) => suppression.kinds !== undefined && !suppression.kinds.includes(kind))
          .map((suppression) => `${construct.node.path} ${suppression.ruleId}`),
      );
      expect(misapplied).toEqual([]);
    },
  );

  it('prod carries no suppression that argues from teardown or ephemerality', () => {
    const prodStage = fixture.stages[2];
    const reasons = (prodStage?.stack.node.findAll() ?? []).flatMap((construct) =>
      declaredSuppressions(construct).map((suppression) => suppression.reason),
    );
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.filter((reason) => /per ephemeral|would block the .*teardown/i.test(reason))).toEqual([]);
  });
});
