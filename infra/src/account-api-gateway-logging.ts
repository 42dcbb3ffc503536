// The account's API Gateway CloudWatch Logs role: an account-and-region setting that environments must not own.
import { physicalName } from '@sep/spec';
import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { suppress } from './nag/suppressions';

/** Sets `AWS::ApiGateway::Account` to a retained logging role, which every environment's API stage needs. */
export function addApiGatewayLogging(
  stack: Stack,
  names: { suffix: string; account: string; region: string },
): void {
  const role = new iam.Role(stack, 'ApiGatewayLogsRole', {
    roleName: physicalName('accountApiGatewayLogsRole', names),
    description: 'API Gateway writes execution and access logs of every API in this account and region',
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': stack.account },
    }),
    managedPolicies: [
      iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
    ],
  });
  // The account setting outlives a stack update that replaces the role; keep the role with it.
  role.applyRemovalPolicy(RemovalPolicy.RETAIN);
  suppress(role, [
    {
      ruleId: 'AwsSolutions-IAM4',
      appliesTo: [
        'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
      ],
      reason:
        'AmazonAPIGatewayPushToCloudWatchLogs is the AWS-maintained policy API Gateway documents for its account-level logging role; API Gateway creates log groups named by API ID and stage at first use, which a hand-written policy could not name in advance.',
    },
  ]);
  new apigateway.CfnAccount(stack, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
}
