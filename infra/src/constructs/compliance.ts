import { physicalName } from '@sep/spec';
import { Duration, Stack } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { suppress } from '../nag/suppressions';
import { ENVIRONMENT_TAG_KEYS } from '../tags';
import { AlertTopicRuleTarget } from './alert-topic';
import { pascal } from './ids';

/** The tags every resource of an environment carries (SPEC section 4); one list, kept in `tags.ts`. */
export const REQUIRED_TAG_KEYS = ENVIRONMENT_TAG_KEYS;

/**
 * A change-triggered AWS Config managed rule of an environment.
 * `name` becomes `sep-<suffix>-<name>`; keep it at most 31 characters (the
 * `rule` budget of the physical-name table, shared with EventBridge rules).
 */
interface EnvironmentRuleDefinition {
  /** Part of the physical name, after `sep-<suffix>-`. */
  readonly name: string;
  /** The AWS managed rule identifier. */
  readonly identifier: string;
  /** What a compliant resource looks like, shown in the Config console. */
  readonly description: string;
  /**
   * The managed rule's parameters.
   *
   * @default - none
   */
  readonly inputParameters?: Record<string, unknown>;
}

/**
 * Managed rules every environment gets. All are configuration-change rules, so
 * a tag scope limits them to this environment's resources. The periodic ones
 * (VPC flow logs, log-group encryption, key rotation, CloudTrail) evaluate the
 * whole account whatever their scope and live in the account-security stack;
 * the custom rule below covers log-group encryption and retention per environment.
 */
const BASE_RULES: readonly EnvironmentRuleDefinition[] = [
  {
    name: 's3-default-encryption-kms',
    identifier: config.ManagedRuleIdentifiers.S3_DEFAULT_ENCRYPTION_KMS,
    description: 'Buckets encrypt by default with a KMS key',
  },
  {
    name: 's3-bucket-ssl-requests-only',
    identifier: config.ManagedRuleIdentifiers.S3_BUCKET_SSL_REQUESTS_ONLY,
    description: 'Bucket policies refuse requests without TLS',
  },
  {
    name: 's3-bucket-public-access-blocked',
    identifier: config.ManagedRuleIdentifiers.S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED,
    description: 'Buckets block every form of public access',
  },
  {
    name: 's3-bucket-versioning-enabled',
    identifier: config.ManagedRuleIdentifiers.S3_BUCKET_VERSIONING_ENABLED,
    description: 'Buckets keep object versions',
  },
  {
    name: 'dynamodb-table-encrypted-kms',
    identifier: config.ManagedRuleIdentifiers.DYNAMODB_TABLE_ENCRYPTED_KMS,
    description: 'DynamoDB tables are encrypted with KMS',
  },
  {
    name: 'dynamodb-pitr-enabled',
    identifier: config.ManagedRuleIdentifiers.DYNAMODB_PITR_ENABLED,
    description: 'DynamoDB tables have point-in-time recovery',
  },
  {
    name: 'sns-encrypted-kms',
    identifier: config.ManagedRuleIdentifiers.SNS_ENCRYPTED_KMS,
    description: 'SNS topics are encrypted with KMS',
  },
  {
    name: 'lambda-inside-vpc',
    identifier: config.ManagedRuleIdentifiers.LAMBDA_INSIDE_VPC,
    description: 'Lambda functions run in the VPC',
  },
  {
    name: 'lambda-public-access-prohibited',
    identifier: config.ManagedRuleIdentifiers.LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED,
    description: 'Lambda resource policies grant no public access',
  },
  {
    name: 'secretsmanager-using-cmk',
    identifier: config.ManagedRuleIdentifiers.SECRETSMANAGER_USING_CMK,
    description: 'Secrets are encrypted with a customer-managed key',
  },
  {
    name: 'secretsmanager-rotation-enabled',
    identifier: config.ManagedRuleIdentifiers.SECRETSMANAGER_ROTATION_ENABLED_CHECK,
    description: 'Secrets rotate at least every 30 days',
    inputParameters: { maximumAllowedRotationFrequency: 30 },
  },
];

const WAF_RULE: EnvironmentRuleDefinition = {
  name: 'api-gw-associated-with-waf',
  identifier: config.ManagedRuleIdentifiers.API_GW_ASSOCIATED_WITH_WAF,
  description: 'API Gateway stages are protected by a WAFv2 web ACL',
};

const DATABASE_RULES: readonly EnvironmentRuleDefinition[] = [
  {
    name: 'rds-storage-encrypted',
    identifier: config.ManagedRuleIdentifiers.RDS_STORAGE_ENCRYPTED,
    description: 'Aurora storage is encrypted',
  },
  {
    name: 'rds-cluster-iam-authentication',
    identifier: config.ManagedRuleIdentifiers.RDS_CLUSTER_IAM_AUTHENTICATION_ENABLED,
    description: 'Aurora clusters accept IAM database authentication',
  },
];

const CUSTOM_RULE_NAME = 'custom-encryption-retention';
/** Severity from which GuardDuty calls a finding High (7.0-8.9) or Critical (9.0-10.0). */
const HIGH_SEVERITY = 7;

export interface EnvironmentComplianceProps {
  /** The environment's suffix: rule names carry it and the rules' scope is the tag `Environment=<suffix>`. */
  readonly environmentSuffix: string;

  /**
   * Values of the required tags, checked by the `required-tags` rule
   * (`Environment` is always the suffix).
   *
   * @default - only the presence of each key in {@link REQUIRED_TAG_KEYS} is checked
   */
  readonly requiredTagValues?: Partial<Record<(typeof REQUIRED_TAG_KEYS)[number], string>>;

  /**
   * Receives every NON_COMPLIANT evaluation of these rules and every
   * high-severity GuardDuty finding. Its topic and key policies must let
   * EventBridge publish, as {@link AlertTopic} does; nothing is granted here.
   */
  readonly alertTopic: sns.ITopic;

  /**
   * The compliance-evaluator function backing the custom rule (S3 buckets and
   * log groups of this environment: KMS key and 90-day retention). The
   * construct lets AWS Config invoke it and attaches a customer-managed policy
   * with `config:PutEvaluations` and `config:GetResourceConfigHistory` to its role.
   *
   * @default - no custom rule
   */
  readonly complianceEvaluator?: lambda.IFunction;

  /**
   * The remediation function, a target of the compliance-change and GuardDuty
   * rules. It acts only on resources tagged with this environment's suffix.
   *
   * @default - events only notify the topic
   */
  readonly remediationFunction?: lambda.IFunction;

  /**
   * Queue receiving events EventBridge could not deliver to a target after its
   * retries (KMS-encrypted, owned by the caller).
   *
   * @default - undeliverable events are dropped after retries
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Route GuardDuty findings of severity 7 or more to the targets. GuardDuty
   * itself is account-level: this construct never creates a detector.
   *
   * @default true
   */
  readonly guardDutyFindings?: boolean;

  /**
   * Check that the API is protected by WAF (set when the `waf` feature is on).
   *
   * @default true
   */
  readonly checkWafAssociation?: boolean;

  /**
   * Add the Aurora rules (set when the `database` feature is on).
   *
   * @default false
   */
  readonly checkDatabase?: boolean;
}

/**
 * AWS Config rules scoped to one environment, the custom rule backed by the
 * compliance-evaluator function, and the EventBridge rules that send Config
 * compliance changes and high-severity GuardDuty findings to remediation and
 * SNS. Needs an AWS Config recorder in the account and region (the
 * account-security stack, or one that already exists); creates none, and no
 * GuardDuty detector.
 */
export class EnvironmentCompliance extends Construct {
  /** Physical names of every Config rule of the environment (for the portal's runtime status). */
  public readonly configRuleNames: string[] = [];
  /**
   * ARNs of the same rules, in the same order. A Config rule ARN carries the
   * rule's generated ID (`config-rule/config-rule-ab12cd`), not its name, so
   * IAM policies must use these rather than an ARN built from the name.
   */
  public readonly configRuleArns: string[] = [];
  /** Matches NON_COMPLIANT evaluations of this environment's rules. */
  public readonly complianceChangeRule: events.Rule;
  /** Matches GuardDuty findings of severity 7 or more, when enabled. */
  public readonly guardDutyRule?: events.Rule;

  constructor(scope: Construct, id: string, props: EnvironmentComplianceProps) {
    super(scope, id);
    const suffix = props.environmentSuffix;
    const scopeToEnvironment = config.RuleScope.fromTag('Environment', suffix);

    const definitions: EnvironmentRuleDefinition[] = [
      ...BASE_RULES,
      ...(props.checkWafAssociation === false ? [] : [WAF_RULE]),
      ...(props.checkDatabase === true ? DATABASE_RULES : []),
      {
        name: 'required-tags',
        identifier: config.ManagedRuleIdentifiers.REQUIRED_TAGS,
        description: `Resources carry the tags ${REQUIRED_TAG_KEYS.join(', ')}`,
        inputParameters: requiredTagsParameters(suffix, props.requiredTagValues),
      },
    ];
    for (const definition of definitions) {
      const configRuleName = physicalName('configRule', { suffix, part: definition.name });
      const rule = new config.ManagedRule(this, pascal(definition.name), {
        configRuleName,
        identifier: definition.identifier,
        description: definition.description,
        inputParameters: definition.inputParameters,
        ruleScope: scopeToEnvironment,
      });
      this.configRuleNames.push(configRuleName);
      this.configRuleArns.push(rule.configRuleArn);
    }

    if (props.complianceEvaluator !== undefined) {
      const custom = this.addCustomRule(suffix, props.complianceEvaluator);
      this.configRuleNames.push(custom.name);
      this.configRuleArns.push(custom.arn);
    }

    const ruleTargets = (message: events.RuleTargetInput): events.IRuleTarget[] => {
      const delivery = {
        retryAttempts: 4,
        maxEventAge: Duration.hours(2),
        deadLetterQueue: props.deadLetterQueue,
      };
      const list: events.IRuleTarget[] = [
        new AlertTopicRuleTarget(props.alertTopic, { ...delivery, message }),
      ];
      if (props.remediationFunction !== undefined) {
        list.push(new targets.LambdaFunction(props.remediationFunction, delivery));
      }
      return list;
    };

    this.complianceChangeRule = new events.Rule(this, 'ComplianceChangeRule', {
      ruleName: physicalName('eventRule', { suffix, part: 'config-compliance' }),
      description: `NON_COMPLIANT evaluations of the AWS Config rules of environment ${suffix}`,
      eventPattern: {
        source: ['aws.config'],
        detailType: ['Config Rules Compliance Change'],
        detail: {
          configRuleName: [...this.configRuleNames],
          newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
        },
      },
      targets: ruleTargets(
        events.RuleTargetInput.fromObject({
          environment: suffix,
          alert: 'AWS Config rule found a resource NON_COMPLIANT',
          rule: events.EventField.fromPath('$.detail.configRuleName'),
          resourceType: events.EventField.fromPath('$.detail.resourceType'),
          resourceId: events.EventField.fromPath('$.detail.resourceId'),
          time: events.EventField.time,
        }),
      ),
    });

    if (props.guardDutyFindings !== false) {
      this.guardDutyRule = new events.Rule(this, 'GuardDutyRule', {
        ruleName: physicalName('eventRule', { suffix, part: 'guardduty-findings' }),
        description: `GuardDuty findings of severity ${HIGH_SEVERITY} or more, for environment ${suffix}`,
        eventPattern: {
          source: ['aws.guardduty'],
          detailType: ['GuardDuty Finding'],
          detail: { severity: events.Match.greaterThanOrEqual(HIGH_SEVERITY) },
        },
        targets: ruleTargets(
          events.RuleTargetInput.fromObject({
            environment: suffix,
            alert: 'GuardDuty finding of high severity',
            severity: events.EventField.fromPath('$.detail.severity'),
            type: events.EventField.fromPath('$.detail.type'),
            title: events.EventField.fromPath('$.detail.title'),
            findingId: events.EventField.fromPath('$.detail.id'),
            time: events.EventField.time,
          }),
        ),
      });
    }
  }

  private addCustomRule(suffix: string, evaluator: lambda.IFunction): { name: string; arn: string } {
    const stack = Stack.of(this);
    const configRuleName = physicalName('configRule', { suffix, part: CUSTOM_RULE_NAME });
    // Created here rather than through addPermission so that it exists for an
    // imported function too, and so that the rule can depend on it.
    const invokePermission = new lambda.CfnPermission(this, 'AllowConfigInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: evaluator.functionArn,
      principal: 'config.amazonaws.com',
      sourceAccount: stack.account,
    });

    // The L2 CustomRule would attach the AWS managed AWSConfigRulesExecutionRole
    // (broad read access, AwsSolutions-IAM4); the evaluator needs only this.
    if (evaluator.role !== undefined) {
      const policy = new iam.ManagedPolicy(this, 'EvaluatorPolicy', {
        description: `Lets the compliance evaluator of ${suffix} report evaluations to AWS Config`,
        roles: [evaluator.role],
        statements: [
          new iam.PolicyStatement({
            // GetResourceConfigHistory fetches the item when Config sends an
            // oversized-change notification. Neither action has a resource type
            // in the Service Authorization Reference.
            actions: ['config:PutEvaluations', 'config:GetResourceConfigHistory'],
            resources: ['*'],
          }),
        ],
      });
      suppress(policy, [
        {
          ruleId: 'AwsSolutions-IAM5',
          appliesTo: ['Resource::*'],
          reason:
            'config:PutEvaluations and config:GetResourceConfigHistory support no resource-level permission (Service Authorization Reference: no resource type); the evaluator reports only with the result token of the invocation Config made, and reads configuration history (read-only) for oversized notifications.',
        },
      ]);
    }

    const rule = new config.CfnConfigRule(this, 'CustomRule', {
      configRuleName,
      description: 'S3 buckets and log groups of this environment use its KMS keys and keep logs 90 days',
      source: {
        owner: 'CUSTOM_LAMBDA',
        sourceIdentifier: evaluator.functionArn,
        sourceDetails: [
          { eventSource: 'aws.config', messageType: 'ConfigurationItemChangeNotification' },
          { eventSource: 'aws.config', messageType: 'OversizedConfigurationItemChangeNotification' },
        ],
      },
      scope: { tagKey: 'Environment', tagValue: suffix },
    });
    // Config invokes the function as soon as the rule exists.
    rule.node.addDependency(invokePermission);
    return { name: configRuleName, arn: rule.attrArn };
  }
}

function requiredTagsParameters(
  suffix: string,
  values: EnvironmentComplianceProps['requiredTagValues'],
): Record<string, string> {
  const parameters: Record<string, string> = {};
  REQUIRED_TAG_KEYS.forEach((key, index) => {
    parameters[`tag${index + 1}Key`] = key;
    const value = key === 'Environment' ? suffix : values?.[key];
    if (value !== undefined) parameters[`tag${index + 1}Value`] = value;
  });
  return parameters;
}
