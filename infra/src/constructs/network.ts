import { physicalName, REGION_AVAILABILITY_ZONES, type SupportedRegion } from '@sep/spec';
import { Fn, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as networkfirewall from 'aws-cdk-lib/aws-networkfirewall';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { KindPolicy } from '../kind-policy';
import { encryptedLogGroup } from './log-group';

export const DEFAULT_VPC_CIDR = '10.40.0.0/16';

/** Where VPC flow logs land in the flow-log bucket. */
export const FLOW_LOG_PREFIX = 'vpc/';

/** The only port the environment's security groups open. */
export const HTTPS_PORT = 443;

/**
 * Interface endpoints: every AWS service the functions call from the isolated
 * subnets (X-Ray for tracing, Config for PutEvaluations, EC2 for remediation).
 */
export const INTERFACE_ENDPOINT_SERVICES = {
  Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Lambda: ec2.InterfaceVpcEndpointAwsService.LAMBDA,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Sns: ec2.InterfaceVpcEndpointAwsService.SNS,
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
  XRay: ec2.InterfaceVpcEndpointAwsService.XRAY,
  Config: ec2.InterfaceVpcEndpointAwsService.CONFIG,
  Ec2: ec2.InterfaceVpcEndpointAwsService.EC2,
} as const;
export type InterfaceEndpointName = keyof typeof INTERFACE_ENDPOINT_SERVICES | 'ExecuteApi';

/**
 * What each interface endpoint lets through before the stack narrows it (KMS, SNS: named keys and
 * topic): the calls the environment's code makes through it, by this account's principals only
 * (`aws:PrincipalAccount`). `resourceActions` act on a resource and are also held to this account's
 * resources (`aws:ResourceAccount`), so a stolen credential cannot copy data into another account
 * through the endpoint; `accountActions` name no resource (Describe*, PutEvaluations, X-Ray), so
 * only the principal condition applies to them.
 */
export const ENDPOINT_ACCESS: Record<
  InterfaceEndpointName,
  {
    readonly resourceActions: readonly string[];
    readonly accountActions: readonly string[];
    /** Calls held to this account's resources by ARN (`arn:…:<service>:<region>:<account>:*`) instead. */
    readonly ownArnActions?: { readonly service: string; readonly actions: readonly string[] };
  }
> = {
  Kms: { resourceActions: [], accountActions: [] },
  Sns: { resourceActions: [], accountActions: [] },
  SecretsManager: {
    // The rotation function's four steps.
    resourceActions: [
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
    ],
    accountActions: ['secretsmanager:GetRandomPassword'],
  },
  Lambda: {
    resourceActions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
    accountActions: [],
  },
  Logs: { resourceActions: ['logs:CreateLogStream', 'logs:PutLogEvents'], accountActions: [] },
  Sts: { resourceActions: ['sts:AssumeRole'], accountActions: ['sts:GetCallerIdentity'] },
  XRay: {
    resourceActions: [],
    accountActions: [
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ],
  },
  Config: {
    resourceActions: [],
    accountActions: ['config:PutEvaluations', 'config:GetResourceConfigHistory'],
  },
  Ec2: {
    // The remediation function (lambda remediation/permissions.ts).
    resourceActions: [
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:CreateTags',
      'ec2:RevokeSecurityGroupIngress',
    ],
    accountActions: ['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
  },
  // API Gateway documents endpoint policies scoped by API ARN; SigV4 callers carry their account.
  ExecuteApi: {
    resourceActions: [],
    accountActions: [],
    ownArnActions: { service: 'execute-api', actions: ['execute-api:Invoke'] },
  },
};

export interface IsolatedNetworkProps {
  readonly environmentSuffix: string;
  readonly region: SupportedRegion;
  readonly policy: KindPolicy;
  /** Receives the VPC flow logs (ALL traffic). */
  readonly flowLogBucket: s3.IBucket;
  /** Encrypts the Network Firewall log group. */
  readonly logsKey: kms.IKey;
  /**
   * AWS Network Firewall between the workload subnets and everything else,
   * allowing only TLS to AWS service endpoints of the region (SNI allowlist).
   *
   * @default false
   */
  readonly networkFirewall?: boolean;
  /**
   * Add the execute-api interface endpoint (the PRIVATE API endpoint type).
   *
   * @default false
   */
  readonly executeApiEndpoint?: boolean;
  /** @default DEFAULT_VPC_CIDR */
  readonly cidr?: string;
}

/**
 * A VPC with isolated subnets only, in the region's three explicit zones (no
 * context lookup): no internet gateway, no NAT, flow logs of ALL traffic to the
 * flow-log bucket, gateway endpoints for S3 and DynamoDB, interface endpoints
 * for every service the functions call, HTTPS-only security groups and a
 * default security group with no rules.
 */
export class IsolatedNetwork extends Construct {
  public readonly vpc: ec2.Vpc;
  /** Security group of the functions: egress HTTPS only, no ingress. */
  public readonly workloadSecurityGroup: ec2.SecurityGroup;
  /** Security group of the interface endpoints: ingress HTTPS from the VPC only. */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;
  public readonly s3Endpoint: ec2.GatewayVpcEndpoint;
  public readonly dynamoDbEndpoint: ec2.GatewayVpcEndpoint;
  public readonly interfaceEndpoints: Partial<Record<InterfaceEndpointName, ec2.InterfaceVpcEndpoint>> = {};
  public readonly firewall?: networkfirewall.CfnFirewall;
  /** ALERT and FLOW logs of the firewall (when on): archived with the other security logs. */
  public firewallLogGroup?: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: IsolatedNetworkProps) {
    super(scope, id);
    const suffix = props.environmentSuffix;
    const firewallOn = props.networkFirewall === true;

    const cidr = props.cidr ?? DEFAULT_VPC_CIDR;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      availabilityZones: [...REGION_AVAILABILITY_ZONES[props.region]],
      natGateways: 0,
      createInternetGateway: false,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'workload', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 },
        ...(firewallOn
          ? [{ name: 'firewall', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 28 }]
          : []),
      ],
      gatewayEndpoints: {},
    });

    // CloudFormation's validator warns on literal zones (W3010): they are literal by design, so that
    // synth never looks them up (no credentials in CodeBuild's synth step, no cdk.context.json).
    Validations.of(this.vpc).acknowledge({
      id: 'CloudFormation-Validate::W3010',
      reason:
        "The environment's zones come from the spec's region table (REGION_AVAILABILITY_ZONES): a lookup would need credentials at synth time, and Fn::GetAZs would change which zones a deployed VPC uses when AWS adds one.",
    });

    this.vpc.addFlowLog('FlowLogs', {
      destination: ec2.FlowLogDestination.toS3(props.flowLogBucket, FLOW_LOG_PREFIX),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    this.allowFlowLogDelivery(props.flowLogBucket);

    const workloadSubnets: ec2.SubnetSelection = { subnetGroupName: 'workload' };
    this.s3Endpoint = this.vpc.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [workloadSubnets],
    });
    this.dynamoDbEndpoint = this.vpc.addGatewayEndpoint('DynamoDbEndpoint', {
      service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [workloadSubnets],
    });

    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: `Interface endpoints of ${suffix}: HTTPS from inside the VPC only`,
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(
      // The literal CIDR, not the VPC attribute: reviewers (and cdk-nag) can read it.
      ec2.Peer.ipv4(cidr),
      ec2.Port.tcp(HTTPS_PORT),
      'HTTPS from the environment VPC',
    );

    this.workloadSecurityGroup = new ec2.SecurityGroup(this, 'WorkloadSecurityGroup', {
      vpc: this.vpc,
      description: `Functions of ${suffix}: HTTPS egress to AWS endpoints only, no ingress`,
      allowAllOutbound: false,
    });
    // No IGW and no NAT: 0.0.0.0/0 on 443 reaches only the gateway endpoints' prefix lists and the interface endpoints.
    this.workloadSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(HTTPS_PORT),
      'HTTPS to VPC endpoints (no internet route exists)',
    );

    const services: [InterfaceEndpointName, ec2.InterfaceVpcEndpointAwsService][] = [
      ...Object.entries(INTERFACE_ENDPOINT_SERVICES),
      ...(props.executeApiEndpoint === true
        ? [
            ['ExecuteApi', ec2.InterfaceVpcEndpointAwsService.APIGATEWAY] as [
              InterfaceEndpointName,
              ec2.InterfaceVpcEndpointAwsService,
            ],
          ]
        : []),
    ] as [InterfaceEndpointName, ec2.InterfaceVpcEndpointAwsService][];
    for (const [name, service] of services) {
      this.interfaceEndpoints[name] = this.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
        service,
        subnets: workloadSubnets,
        privateDnsEnabled: true,
        securityGroups: [this.endpointSecurityGroup],
        open: false,
      });
      this.allowThisAccountOnly(name);
    }

    if (firewallOn) {
      this.firewall = this.addFirewall(props, workloadSubnets);
    }
  }

  /**
   * The statements AWS appends to the flow-log bucket policy on the first delivery when they are
   * missing. Declared here, because the next CloudFormation update of the policy would drop the
   * appended ones and delivery would stop silently.
   */
  private allowFlowLogDelivery(bucket: s3.IBucket): void {
    const stack = Stack.of(this);
    const fromThisAccountsLogs = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*' }) },
    };
    const delivery = new iam.ServicePrincipal('delivery.logs.amazonaws.com');
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSLogDeliveryWrite',
        principals: [delivery],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${FLOW_LOG_PREFIX}AWSLogs/${stack.account}/*`)],
        conditions: {
          ...fromThisAccountsLogs,
          StringEquals: {
            ...fromThisAccountsLogs.StringEquals,
            's3:x-amz-acl': 'bucket-owner-full-control',
          },
        },
      }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSLogDeliveryAclCheck',
        principals: [delivery],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: fromThisAccountsLogs,
      }),
    );
  }

  /** The default policy of an interface endpoint: {@link ENDPOINT_ACCESS}, this account only. */
  private allowThisAccountOnly(name: InterfaceEndpointName): void {
    const endpoint = this.interfaceEndpoints[name];
    const access = ENDPOINT_ACCESS[name];
    if (endpoint === undefined) return;
    const account = Stack.of(this).account;
    if (access.resourceActions.length > 0) {
      endpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ThisAccountsPrincipalsOnThisAccountsResources',
          principals: [new iam.AnyPrincipal()],
          actions: [...access.resourceActions],
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:PrincipalAccount': account, 'aws:ResourceAccount': account },
          },
        }),
      );
    }
    if (access.ownArnActions !== undefined) {
      endpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ThisAccountsPrincipalsOnThisAccountsApis',
          principals: [new iam.AnyPrincipal()],
          actions: [...access.ownArnActions.actions],
          resources: [Stack.of(this).formatArn({ service: access.ownArnActions.service, resource: '*' })],
          conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
        }),
      );
    }
    if (access.accountActions.length > 0) {
      endpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ThisAccountsPrincipalsCallsWithoutResource',
          principals: [new iam.AnyPrincipal()],
          actions: [...access.accountActions],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
        }),
      );
    }
  }

  /** Scopes the S3 gateway endpoint to this environment's buckets, action by action. */
  public restrictS3Endpoint(buckets: readonly s3.IBucket[]): void {
    this.s3Endpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EnvironmentBucketsOnly',
        principals: [new iam.AnyPrincipal()],
        actions: [
          's3:GetObject',
          's3:GetObjectVersion',
          's3:PutObject',
          's3:GetObjectTagging',
          's3:PutObjectTagging',
          's3:ListBucket',
          's3:GetBucketTagging',
          's3:GetEncryptionConfiguration',
          's3:GetBucketPolicy',
          's3:GetBucketPublicAccessBlock',
          's3:PutBucketPublicAccessBlock',
          's3:GetBucketVersioning',
        ],
        resources: buckets.flatMap((bucket) => [bucket.bucketArn, bucket.arnForObjects('*')]),
        conditions: { StringEquals: { 'aws:PrincipalAccount': Stack.of(this).account } },
      }),
    );
  }

  /** Scopes the DynamoDB gateway endpoint to the environment's tables and their indexes. */
  public restrictDynamoDbEndpoint(tableArns: readonly string[]): void {
    this.dynamoDbEndpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EnvironmentTablesOnly',
        principals: [new iam.AnyPrincipal()],
        actions: [
          'dynamodb:PutItem',
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:DescribeTable',
        ],
        resources: tableArns.flatMap((arn) => [arn, `${arn}/index/*`]),
        conditions: { StringEquals: { 'aws:PrincipalAccount': Stack.of(this).account } },
      }),
    );
  }

  /** Scopes an interface endpoint to named actions on named resources of this account. */
  public restrictInterfaceEndpoint(
    name: InterfaceEndpointName,
    statement: { readonly actions: readonly string[]; readonly resources: readonly string[] },
  ): void {
    const endpoint = this.interfaceEndpoints[name];
    if (endpoint === undefined) throw new Error(`no ${name} interface endpoint in this network`);
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: [...statement.actions],
        resources: [...statement.resources],
        conditions: {
          StringEquals: {
            'aws:PrincipalAccount': Stack.of(this).account,
            'aws:ResourceAccount': Stack.of(this).account,
          },
        },
      }),
    );
  }

  private addFirewall(
    props: IsolatedNetworkProps,
    workloadSubnets: ec2.SubnetSelection,
  ): networkfirewall.CfnFirewall {
    const suffix = props.environmentSuffix;
    const region = Stack.of(this).region;
    const ruleGroup = new networkfirewall.CfnRuleGroup(this, 'TlsAllowlist', {
      ruleGroupName: physicalName('firewallRuleGroup', { suffix }),
      type: 'STATEFUL',
      capacity: 100,
      description: 'Only TLS to AWS service endpoints of the environment region',
      ruleGroup: {
        rulesSource: {
          rulesSourceList: {
            generatedRulesType: 'ALLOWLIST',
            targetTypes: ['TLS_SNI'],
            targets: [`.${region}.amazonaws.com`, `.${region}.api.aws`],
          },
        },
        statefulRuleOptions: { ruleOrder: 'STRICT_ORDER' },
      },
    });
    const firewallPolicy = new networkfirewall.CfnFirewallPolicy(this, 'FirewallPolicy', {
      firewallPolicyName: physicalName('firewallPolicy', { suffix }),
      firewallPolicy: {
        statelessDefaultActions: ['aws:forward_to_sfe'],
        statelessFragmentDefaultActions: ['aws:forward_to_sfe'],
        statefulEngineOptions: { ruleOrder: 'STRICT_ORDER' },
        statefulDefaultActions: ['aws:drop_established', 'aws:alert_established'],
        statefulRuleGroupReferences: [{ resourceArn: ruleGroup.attrRuleGroupArn, priority: 1 }],
      },
    });
    const firewallSubnets = this.vpc.selectSubnets({ subnetGroupName: 'firewall' }).subnets;
    const firewall = new networkfirewall.CfnFirewall(this, 'Firewall', {
      firewallName: physicalName('firewall', { suffix }),
      firewallPolicyArn: firewallPolicy.attrFirewallPolicyArn,
      vpcId: this.vpc.vpcId,
      subnetMappings: firewallSubnets.map((subnet) => ({ subnetId: subnet.subnetId })),
      deleteProtection: props.policy.deletionProtection,
      firewallPolicyChangeProtection: props.policy.deletionProtection,
      subnetChangeProtection: props.policy.deletionProtection,
    });

    const logGroup = encryptedLogGroup(this, 'FirewallLogGroup', {
      logGroupName: physicalName('logGroup', { suffix, part: 'network-firewall' }),
      encryptionKey: props.logsKey,
      retention: props.policy.logRetention,
      removalPolicy: props.policy.removalPolicy,
    });
    this.firewallLogGroup = logGroup;
    new networkfirewall.CfnLoggingConfiguration(this, 'FirewallLogging', {
      firewallArn: firewall.attrFirewallArn,
      loggingConfiguration: {
        logDestinationConfigs: (['ALERT', 'FLOW'] as const).map((logType) => ({
          logType,
          logDestinationType: 'CloudWatchLogs',
          logDestination: { logGroup: logGroup.logGroupName },
        })),
      },
    });

    // Workload egress leaves through the firewall endpoint of its own zone. EndpointIds lists
    // `az:vpce-id` entries in no documented order, so never pick one by position: join them
    // (`us-east-1a:vpce-1,us-east-1b:vpce-2,…`), cut at `<this subnet's zone>:` and keep what
    // follows up to the next comma. The zones are literals (REGION_AVAILABILITY_ZONES).
    const endpointsByZone = Fn.join(',', firewall.attrEndpointIds);
    const workload = this.vpc.selectSubnets(workloadSubnets).subnets;
    workload.forEach((subnet, index) => {
      const endpointId = firewallEndpointOfZone(endpointsByZone, subnet.availabilityZone);
      new ec2.CfnRoute(this, `EgressViaFirewall${index}`, {
        routeTableId: subnet.routeTable.routeTableId,
        destinationCidrBlock: '0.0.0.0/0',
        vpcEndpointId: endpointId,
      });
    });
    return firewall;
  }
}

/** The firewall endpoint ID of `zone` in the joined `az:vpce-id` list of `AWS::NetworkFirewall::Firewall.EndpointIds`. */
export function firewallEndpointOfZone(joinedEndpointIds: string, zone: string): string {
  return Fn.select(0, Fn.split(',', Fn.select(1, Fn.split(`${zone}:`, joinedEndpointIds))));
}
