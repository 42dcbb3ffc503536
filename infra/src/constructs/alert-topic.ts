// The environment's (and the account's) alert topic, and the EventBridge target that publishes to it.
import { Duration, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * AWS services that publish to the alert topic. Each needs `kms:GenerateDataKey`
 * and `kms:Decrypt` on the topic's CMK, because SNS encrypts with the caller's
 * permissions.
 */
const DEFAULT_PUBLISHING_SERVICES = ['cloudwatch.amazonaws.com', 'events.amazonaws.com'];

export interface AlertTopicProps {
  /**
   * Physical name of the topic: `physicalName('alertTopic', …)` for an
   * environment, `physicalName('accountAlertTopic', …)` for the account stack.
   */
  readonly topicName: string;

  /**
   * Customer-managed key that encrypts messages at rest. The construct adds
   * key-policy statements for the publishing services, each limited by the
   * encryption context SNS sets (`aws:sns:topicArn` = this topic).
   */
  readonly encryptionKey: kms.IKey;

  /**
   * Addresses subscribed by email. Each must confirm its subscription before
   * receiving alerts.
   *
   * @default - no subscription
   */
  readonly emailAddresses?: readonly string[];

  /**
   * Service principals allowed to publish (topic policy) and to use the key for
   * this topic (key policy). EventBridge does not send `aws:SourceAccount` to
   * KMS, so the key statements are conditioned on the encryption context
   * instead; the topic statements carry `aws:SourceAccount`.
   *
   * @default ['cloudwatch.amazonaws.com', 'events.amazonaws.com']
   */
  readonly publishingServices?: readonly string[];
}

/**
 * The SNS topic every security alarm and rule of an environment (or of the
 * account) notifies: KMS-encrypted, TLS-only topic policy, email subscriptions.
 */
export class AlertTopic extends Construct {
  /** The topic; hand it to alarms (`SnsAction`) and to {@link AlertTopicRuleTarget}. */
  public readonly topic: sns.ITopic;
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const publishingServices = props.publishingServices ?? DEFAULT_PUBLISHING_SERVICES;

    const topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: props.topicName,
      masterKey: props.encryptionKey,
      // Adds the aws:SecureTransport=false deny to the topic policy (AwsSolutions-SNS3).
      enforceSSL: true,
    });
    this.topic = topic;

    // Built from the name, not `topic.topicArn`: the key policy referencing the
    // topic while the topic references the key would be a dependency cycle.
    const topicArn = stack.formatArn({ service: 'sns', resource: props.topicName });

    for (const service of publishingServices) {
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `AllowPublishFrom${serviceLabel(service)}`,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      );
    }
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowAlertPublishers${serviceLabel(props.topicName)}`,
        principals: publishingServices.map((service) => new iam.ServicePrincipal(service)),
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
      }),
    );

    for (const address of props.emailAddresses ?? []) {
      topic.addSubscription(new subscriptions.EmailSubscription(address));
    }
    this.encryptionKey = props.encryptionKey;
  }

  /**
   * Lets a function or role publish: `sns:Publish` on this topic and the two
   * KMS actions SNS needs, named explicitly (`Topic.grantPublish` grants
   * `kms:GenerateDataKey*`, a wildcard action the project's policies may not hold).
   */
  public grantPublish(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
    return iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['sns:Publish'],
      resourceArns: [this.topic.topicArn],
      resource: this.topic,
    });
  }
}

/** How EventBridge delivers to the alert topic. */
export interface AlertTopicRuleTargetProps {
  /** The message EventBridge publishes (an input transformer). */
  readonly message: events.RuleTargetInput;
  /**
   * Retries after a failed delivery.
   *
   * @default 4
   */
  readonly retryAttempts?: number;
  /**
   * Oldest event EventBridge still tries to deliver.
   *
   * @default Duration.hours(2)
   */
  readonly maxEventAge?: Duration;
  /**
   * Queue for events that could not be delivered. The construct adds the
   * `sqs:SendMessage` statement for this rule to its policy when it owns it.
   *
   * @default - undeliverable events are dropped
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * An EventBridge target publishing to an {@link AlertTopic} without granting
 * anything: the topic policy and the key policy of `AlertTopic` already let
 * EventBridge publish. (`targets.SnsTopic` calls `grantPublish`, which puts
 * `kms:GenerateDataKey*`, a wildcard action, into the key policy.)
 */
export class AlertTopicRuleTarget implements events.IRuleTarget {
  constructor(
    private readonly topic: sns.ITopic,
    private readonly props: AlertTopicRuleTargetProps,
  ) {}

  bind(rule: events.IRule): events.RuleTargetConfig {
    const queue = this.props.deadLetterQueue;
    queue?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowEventRule${rule.node.addr}`,
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
    return {
      arn: this.topic.topicArn,
      input: this.props.message,
      retryPolicy: {
        maximumRetryAttempts: this.props.retryAttempts ?? 4,
        maximumEventAgeInSeconds: (this.props.maxEventAge ?? Duration.hours(2)).toSeconds(),
      },
      deadLetterConfig: queue === undefined ? undefined : { arn: queue.queueArn },
      targetResource: this.topic,
    };
  }
}

function serviceLabel(value: string): string {
  return value
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0 && part !== 'amazonaws' && part !== 'com')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
