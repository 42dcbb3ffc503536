// Specification of the alert topic: encryption, subscriptions, who may publish and use its key.
import { physicalName } from '@sep/spec';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AlertTopic } from './alert-topic';
import { nagCheckedStack, testKey, unsuppressedFindings } from './governance-test-kit';

const suffix = 'pr123';
const stack = nagCheckedStack();
const alertsKey = testKey(stack, 'AlertsKey');
new AlertTopic(stack, 'Alerts', {
  topicName: physicalName('alertTopic', { suffix }),
  encryptionKey: alertsKey,
  emailAddresses: ['secops@example.com', 'oncall@example.com'],
});
const template = Template.fromStack(stack);

describe('AlertTopic', () => {
  it('encrypts the topic with the given CMK and names it through physicalName', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'sep-pr123-security-alerts',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsKey'), 'Arn'] },
    });
  });

  it('subscribes every alert email', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'secops@example.com',
    });
  });

  it('denies publishing without TLS and lets only CloudWatch and EventBridge of this account publish', () => {
    const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0];
    const statements = policy?.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
        }),
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sns:Publish',
        }),
      ]),
    );
  });

  it('lets publishers use the key only for this topic (encryption context), with explicit actions', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Condition: {
              StringEquals: {
                'kms:EncryptionContext:aws:sns:topicArn': {
                  'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':sep-pr123-security-alerts$')])],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('leaves no unsuppressed AwsSolutions, PCIDSS321 or NIST80053R5 finding', () => {
    expect(unsuppressedFindings(stack)).toEqual([]);
  });
});
