// The environment's isolated VPC: subnets, flow logs, security groups, gateway and interface endpoints.
import { REGION_AVAILABILITY_ZONES, type SupportedRegion } from '@sep/spec';
import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as networkfirewall from 'aws-cdk-lib/aws-networkfirewall';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { KindPolicy } from '../kind-policy';
import {
  allowThisAccountOnly,
  INTERFACE_ENDPOINT_SERVICES,
  type InterfaceEndpointName,
} from './network-endpoints';
import { addNetworkFirewall } from './network-firewall';

export const DEFAULT_VPC_CIDR = '10.40.0.0/16';

/** Where VPC flow logs land in the flow-log bucket. */
export const FLOW_LOG_PREFIX = 'vpc/';

/** The only port the environment's security groups open. */
export const HTTPS_PORT = 443;

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
      const endpoint = this.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
        service,
        subnets: workloadSubnets,
        privateDnsEnabled: true,
        securityGroups: [this.endpointSecurityGroup],
        open: false,
      });
      this.interfaceEndpoints[name] = endpoint;
      allowThisAccountOnly(endpoint, name);
    }

    if (firewallOn) {
      const { firewall, logGroup } = addNetworkFirewall(this, {
        environmentSuffix: suffix,
        policy: props.policy,
        logsKey: props.logsKey,
        vpc: this.vpc,
        workloadSubnets,
      });
      this.firewall = firewall;
      this.firewallLogGroup = logGroup;
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
}
