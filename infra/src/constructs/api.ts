import type { ApiEndpointType } from '@sep/spec';
import {
  DOCUMENTS_SMOKE_ROUTE,
  HEALTH_SMOKE_ROUTE,
  physicalName,
  type SmokeRoute,
  smokeTestRoleArn,
} from '@sep/spec';
import { ArnFormat, SecretValue, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { KindPolicy } from '../kind-policy';
import { acrossPacks, suppress } from '../nag/suppressions';
import { encryptedLogGroup } from './log-group';

export const API_STAGE_NAME = 'v1';
/** Seed 003: documents are small text payloads. */
export const MAX_DOCUMENT_CONTENT_LENGTH = 1_048_576;
/** Requests per five minutes from one IP before the rate-based WAF rule blocks. */
export const WAF_RATE_LIMIT = 1000;
export const USAGE_PLAN_LIMITS = { rateLimit: 50, burstLimit: 100, quotaPerDay: 10_000 } as const;

export interface SecureApiProps {
  readonly environmentSuffix: string;
  readonly policy: KindPolicy;
  readonly endpointType: ApiEndpointType;
  /** Required for `PRIVATE`: the execute-api interface endpoint the API is reachable through. */
  readonly executeApiEndpoint?: ec2.IInterfaceVpcEndpoint;
  /**
   * The document function (`POST /documents`, `GET /documents/{documentId}/findings`).
   *
   * @default - the API serves only `GET /health` (the documentPipeline feature is off)
   */
  readonly documentFunction?: lambda.IFunction;
  /** Encrypts the access and WAF log groups. */
  readonly logsKey: kms.IKey;
  /** Encrypts the secret holding the API key value. */
  readonly secretsKey: kms.IKey;
  /** @default true */
  readonly waf?: boolean;
}

/**
 * The REST API: API key AND IAM (SigV4) authorization on every method (an API
 * key identifies a client for the usage plan; it is not authentication), usage
 * plan with throttle and quota, request validators and JSON-schema models, JSON
 * access logs in a KMS log group, execution logging without data trace, X-Ray,
 * a WAFv2 web ACL with logging, and the API key value kept in Secrets Manager.
 */
export class SecureApi extends Construct {
  public readonly restApi: apigateway.RestApi;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly apiKey: apigateway.ApiKey;
  public readonly apiKeySecret: secretsmanager.CfnSecret;
  public readonly usagePlan: apigateway.UsagePlan;
  public readonly webAcl?: wafv2.CfnWebACL;
  /** Receives the WAF logs (name fixed by WAF: `aws-waf-logs-*`), when WAF is on. */
  public wafLogGroup?: logs.LogGroup;
  /** `VisibilityConfig.metricName` of the web ACL, for the WAF-blocks alarm. */
  public readonly webAclMetricName?: string;

  constructor(scope: Construct, id: string, props: SecureApiProps) {
    super(scope, id);
    const suffix = props.environmentSuffix;
    const stack = Stack.of(this);
    const privateApi = props.endpointType === 'PRIVATE';
    if (privateApi && props.executeApiEndpoint === undefined) {
      throw new Error('a PRIVATE API needs the execute-api VPC endpoint');
    }

    this.accessLogGroup = encryptedLogGroup(this, 'AccessLogGroup', {
      logGroupName: physicalName('logGroup', { suffix, part: 'api-access' }),
      encryptionKey: props.logsKey,
      retention: props.policy.logRetention,
      removalPolicy: props.policy.removalPolicy,
    });

    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: physicalName('restApi', { suffix }),
      description: `Secure document API of environment ${suffix}`,
      endpointConfiguration: privateApi
        ? {
            types: [apigateway.EndpointType.PRIVATE],
            vpcEndpoints: props.executeApiEndpoint ? [props.executeApiEndpoint] : [],
          }
        : { types: [apigateway.EndpointType.REGIONAL] },
      policy: privateApi
        ? privateApiPolicy(props.executeApiEndpoint?.vpcEndpointId ?? '')
        : smokeTestPolicy(
            stack,
            props.documentFunction === undefined ? HEALTH_SMOKE_ROUTE : DOCUMENTS_SMOKE_ROUTE,
          ),
      // Execution logging needs the account's API Gateway CloudWatch role, an account-level
      // setting owned by the account-security stack, not by each environment.
      cloudWatchRole: false,
      disableExecuteApiEndpoint: false,
      deployOptions: {
        stageName: API_STAGE_NAME,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: USAGE_PLAN_LIMITS.rateLimit,
        throttlingBurstLimit: USAGE_PLAN_LIMITS.burstLimit,
      },
      defaultMethodOptions: {
        apiKeyRequired: true,
        authorizationType: apigateway.AuthorizationType.IAM,
      },
    });

    // RestApi always adds an `Endpoint` output (the stage URL): the stage exposes the same URL once, as its
    // documented `ApiUrl` output, so the outputs engineers read carry no auto-named duplicate.
    this.restApi.node.tryRemoveChild('Endpoint');

    const validator = new apigateway.RequestValidator(this, 'Validator', {
      restApi: this.restApi,
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    if (props.documentFunction !== undefined) {
      this.addDocumentRoutes(props.documentFunction, validator);
    } else {
      this.addHealthRoute(validator);
    }

    // L1: the L2 Secret adds `kms:GenerateDataKey*`/`kms:ReEncrypt*` for the account to the key
    // policy; the secrets key already lets Secrets Manager use it (kms:ViaService), action by action.
    this.apiKeySecret = new secretsmanager.CfnSecret(this, 'ApiKeySecret', {
      name: physicalName('apiKeySecret', { suffix }),
      description: `Value of the API key of environment ${suffix} (its ID is a stack output)`,
      kmsKeyId: props.secretsKey.keyArn,
      generateSecretString: { passwordLength: 40, excludePunctuation: true, includeSpace: false },
    });
    this.apiKeySecret.applyRemovalPolicy(props.policy.removalPolicy);
    // CloudFormation resolves the dynamic reference at deploy time: the value never enters the template.
    this.apiKey = new apigateway.ApiKey(this, 'ApiKey', {
      description: `Client key of environment ${suffix}`,
      value: SecretValue.secretsManager(this.apiKeySecret.ref).unsafeUnwrap(),
      enabled: true,
    });
    this.usagePlan = new apigateway.UsagePlan(this, 'UsagePlan', {
      description: `Throttle and quota of environment ${suffix}`,
      throttle: { rateLimit: USAGE_PLAN_LIMITS.rateLimit, burstLimit: USAGE_PLAN_LIMITS.burstLimit },
      quota: { limit: USAGE_PLAN_LIMITS.quotaPerDay, period: apigateway.Period.DAY },
      apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
    });
    this.usagePlan.addApiKey(this.apiKey);

    if (props.waf !== false) {
      this.webAclMetricName = `sep-${suffix}-api-waf`;
      this.webAcl = this.addWebAcl(suffix, props.logsKey, props.policy, stack);
    }

    this.suppressFindings(props.waf !== false);
  }

  private addDocumentRoutes(fn: lambda.IFunction, validator: apigateway.RequestValidator): void {
    const integration = new apigateway.LambdaIntegration(fn, { proxy: true });
    const documentModel = this.restApi.addModel('DocumentModel', {
      contentType: 'application/json',
      modelName: 'Document',
      schema: {
        schema: apigateway.JsonSchemaVersion.DRAFT4,
        title: 'Document',
        type: apigateway.JsonSchemaType.OBJECT,
        additionalProperties: false,
        required: ['contentType', 'content'],
        properties: {
          documentId: { type: apigateway.JsonSchemaType.STRING, pattern: '^[A-Za-z0-9_-]{1,128}$' },
          contentType: { type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 255 },
          content: { type: apigateway.JsonSchemaType.STRING, maxLength: MAX_DOCUMENT_CONTENT_LENGTH },
        },
      },
    });
    const documents = this.restApi.root.addResource('documents');
    documents.addMethod('POST', integration, {
      requestValidator: validator,
      requestModels: { 'application/json': documentModel },
    });
    const findings = documents.addResource('{documentId}').addResource('findings');
    findings.addMethod('GET', integration, {
      requestValidator: validator,
      requestParameters: { 'method.request.path.documentId': true },
    });
  }

  /** Without the document pipeline the API answers a signed, keyed health check (for the smoke test). */
  private addHealthRoute(validator: apigateway.RequestValidator): void {
    const health = this.restApi.root.addResource('health');
    health.addMethod(
      'GET',
      new apigateway.MockIntegration({
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        integrationResponses: [
          { statusCode: '200', responseTemplates: { 'application/json': '{"status":"ok"}' } },
        ],
      }),
      { requestValidator: validator, methodResponses: [{ statusCode: '200' }] },
    );
  }

  private addWebAcl(suffix: string, logsKey: kms.IKey, policy: KindPolicy, stack: Stack): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: physicalName('webAcl', { suffix }),
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(this.webAclMetricName ?? suffix),
      rules: [
        managed('AWSManagedRulesCommonRuleSet', 1),
        managed('AWSManagedRulesSQLiRuleSet', 2),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 3),
        {
          name: 'RateLimitPerIp',
          priority: 4,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: WAF_RATE_LIMIT, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.restApi.deploymentStage.stageArn,
      webAclArn: webAcl.attrArn,
    });
    const wafLogGroup = encryptedLogGroup(this, 'WafLogGroup', {
      logGroupName: physicalName('wafLogGroup', { suffix }),
      encryptionKey: logsKey,
      retention: policy.logRetention,
      removalPolicy: policy.removalPolicy,
    });
    this.wafLogGroup = wafLogGroup;
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: webAcl.attrArn,
      logDestinationConfigs: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: wafLogGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // The key and the SigV4 signature never reach the log.
      redactedFields: [{ singleHeader: { Name: 'x-api-key' } }, { singleHeader: { Name: 'authorization' } }],
    });
    return webAcl;
  }

  private suppressFindings(waf: boolean): void {
    const stage = this.restApi.deploymentStage;
    suppress(stage, [
      ...acrossPacks(
        ['PCI.DSS.321-APIGWCacheEnabledAndEncrypted', 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted'],
        'Responses carry per-document scan findings and must not be served from a shared cache; with no cache cluster there is no cached data to encrypt.',
      ),
      ...acrossPacks(
        ['PCI.DSS.321-APIGWSSLEnabled', 'NIST.800.53.R5-APIGWSSLEnabled'],
        'The only integration is a Lambda proxy invoked by API Gateway through the Lambda API (SigV4 over TLS); a client certificate authenticates HTTP backends and has nothing to authenticate here.',
      ),
      ...(waf
        ? []
        : acrossPacks(
            [
              'AwsSolutions-APIG3',
              'PCI.DSS.321-APIGWAssociatedWithWAF',
              'NIST.800.53.R5-APIGWAssociatedWithWAF',
            ],
            'The environment spec turned the waf feature off (a cost decision recorded in the registry); API key, IAM SigV4 authorization, throttling and validation still apply.',
          )),
    ]);
    for (const method of this.restApi.methods) {
      suppress(method, [
        {
          ruleId: 'AwsSolutions-COG4',
          reason:
            'Every method uses the IAM (SigV4) authorizer, which the spec chose over a Cognito user pool: callers are AWS principals (services and CI), not end users.',
        },
      ]);
    }
    suppress(this.apiKeySecret, [
      ...acrossPacks(
        [
          'AwsSolutions-SMG4',
          'PCI.DSS.321-SecretsManagerRotationEnabled',
          'NIST.800.53.R5-SecretsManagerRotationEnabled',
        ],
        'This secret holds the API key value that API Gateway stores too; a Secrets Manager rotation would desynchronize the two. The key is rotated by replacing the environment key resource (redeploy), and it is not authentication (IAM SigV4 is).',
      ),
    ]);
  }
}

/**
 * REGIONAL APIs: the pipeline's smoke test calls the API as this account's smoke-test role
 * (account-security stack), and this policy names exactly that role and route. With IAM
 * authorization a same-account caller is allowed when its IAM policy or the resource policy allows
 * (API Gateway developer guide, "How API Gateway resource policies affect authorization workflow"),
 * so the statement adds the smoke test and takes nothing from the environment's other callers.
 * PRIVATE APIs keep their endpoint-only policy: the smoke test cannot reach them from CodeBuild and
 * reports the skip instead.
 */
function smokeTestPolicy(stack: Stack, route: SmokeRoute): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'SmokeTestFromThePipeline',
        principals: [
          new iam.AccountPrincipal(stack.account).withConditions({
            ArnEquals: {
              'aws:PrincipalArn': smokeTestRoleArn({
                account: stack.account,
                region: stack.region,
                partition: stack.partition,
              }),
            },
          }),
        ],
        actions: ['execute-api:Invoke'],
        resources: [`execute-api:/${API_STAGE_NAME}/${route.method}/${route.path}`],
      }),
    ],
  });
}

function privateApiPolicy(vpcEndpointId: string): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'InvokeThroughTheEnvironmentEndpointOnly',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { StringNotEquals: { 'aws:SourceVpce': vpcEndpointId } },
      }),
      new iam.PolicyStatement({
        sid: 'InvokeFromTheEnvironmentEndpoint',
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { StringEquals: { 'aws:SourceVpce': vpcEndpointId } },
      }),
    ],
  });
}
