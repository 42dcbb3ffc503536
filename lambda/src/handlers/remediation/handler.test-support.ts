// The remediation handler's test bench, shared by its suites: the mocked clients (reset and answered
// before each test), the handler built from test configuration, and the events GuardDuty and Config send.
import {
  CreateTagsCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { auditAndAlertClients, COMMON_ENV, mockAuditAndAlerts } from '../../shared/handler.test-support';
import { loadConfig } from './config';
import { createRemediationHandler } from './handler';

export const iam = mockClient(IAMClient);
export const s3 = mockClient(S3Client);
export const ec2 = mockClient(EC2Client);
export const { documents, sns } = mockAuditAndAlerts();

export const QUARANTINE = 'sg-0aaaaaaaaaaaaaaaa';
export const env = {
  ...COMMON_ENV,
  DATA_CLASSIFICATION: 'confidential',
  DRY_RUN: 'false',
  QUARANTINE_SECURITY_GROUP_ID: QUARANTINE,
  LOG_LEVEL: 'error',
};
export const ours = [{ Key: 'Environment', Value: 'dev' }];
export const theirs = [{ Key: 'Environment', Value: 'prod' }];

export function handlerFor(overrides: Record<string, string> = {}) {
  return createRemediationHandler(loadConfig({ ...env, ...overrides }), {
    iam: new IAMClient({ region: 'us-east-1' }),
    s3: new S3Client({ region: 'us-east-1' }),
    ec2: new EC2Client({ region: 'us-east-1' }),
    ...auditAndAlertClients(),
  });
}
export const context = { functionName: 'remediation-dev' };

export function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode: status } });
}

export function guardDuty(resource: Record<string, unknown>, severity = 8) {
  return {
    version: '0',
    id: 'evt-gd-1',
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: '111111111111',
    region: 'us-east-1',
    detail: { id: 'finding-1', type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', severity, resource },
  };
}
export const accessKeyFinding = (severity = 8) =>
  guardDuty(
    {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'ci-bot', userType: 'IAMUser' },
    },
    severity,
  );
export const bucketFinding = () =>
  guardDuty({ resourceType: 'S3Bucket', s3BucketDetails: [{ name: 'data-dev' }] });
export const instanceFinding = () =>
  guardDuty({ resourceType: 'Instance', instanceDetails: { instanceId: 'i-0123456789abcdef0' } });

export function configChange(resourceType: string, resourceId: string, complianceType = 'NON_COMPLIANT') {
  return {
    version: '0',
    id: 'evt-cfg-1',
    'detail-type': 'Config Rules Compliance Change',
    source: 'aws.config',
    account: '111111111111',
    region: 'us-east-1',
    detail: { resourceId, resourceType, configRuleName: 'dev-rule', newEvaluationResult: { complianceType } },
  };
}

export const mutations = () =>
  iam.commandCalls(UpdateAccessKeyCommand).length +
  s3.commandCalls(PutPublicAccessBlockCommand).length +
  ec2.commandCalls(CreateTagsCommand).length +
  ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).length +
  ec2.commandCalls(RevokeSecurityGroupIngressCommand).length;
export const auditItems = () => documents.commandCalls(PutCommand).map((c) => c.args[0].input.Item);
export const alerts = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);

beforeEach(() => {
  for (const mock of [iam, s3, ec2]) mock.reset();
});
