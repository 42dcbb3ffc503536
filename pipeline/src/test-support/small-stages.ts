// Test support: small but real CDK stages with the SecureEnvironmentStage
// interface (one stack, API URL and key ID outputs), so pipeline-structure
// tests at hundreds of environments do not pay for synthesizing the full
// secure environment hundreds of times. Sharding depends only on the number of
// stacks per stage, which these match (1).

import { bundleDirectory } from '@sep/lambda/bundles';
import { environmentStackName } from '@sep/registry/names';
import { physicalName } from '@sep/spec';
import { CfnOutput, Stack, Stage } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type {
  AccountSecurityStageFactory,
  EnvironmentStage,
  EnvironmentStageFactory,
  EnvironmentStageProps,
} from '../environment-stages';

class SmallEnvironmentStage extends Stage implements EnvironmentStage {
  readonly outputs: { readonly apiUrl: CfnOutput; readonly apiKeyId: CfnOutput };

  constructor(scope: Construct, id: string, props: EnvironmentStageProps) {
    super(scope, id, { env: props.env });
    const suffix = props.spec.environmentSuffix;
    const stack = new Stack(this, 'Environment', {
      stackName: environmentStackName(suffix),
      terminationProtection: props.spec.kind === 'prod',
    });
    const api = new apigateway.RestApi(stack, 'Api', { restApiName: physicalName('restApi', { suffix }) });
    // A real Lambda asset, as the full stage has: it gives the pipeline its Assets stage.
    const handler = new lambda.Function(stack, 'DocumentApi', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleDirectory('document-api')),
    });
    api.root.addMethod('POST', new apigateway.LambdaIntegration(handler), { apiKeyRequired: true });
    const key = api.addApiKey('Key');
    this.outputs = {
      apiUrl: new CfnOutput(stack, 'ApiUrl', { value: api.url }),
      apiKeyId: new CfnOutput(stack, 'ApiKeyId', { value: key.keyId }),
    };
  }
}

export const createSmallEnvironmentStage: EnvironmentStageFactory = (scope, id, props) =>
  new SmallEnvironmentStage(scope, id, props);

export const createSmallAccountSecurityStage: AccountSecurityStageFactory = (scope, id, props) => {
  const stage = new Stage(scope, id, { env: props.env });
  new sns.Topic(new Stack(stage, 'AccountSecurity'), 'SecurityAlarms');
  return stage;
};
