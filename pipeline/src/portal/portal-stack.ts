import path from 'node:path';
import { kindPolicy } from '@sep/infra';
import { releasePipelineName } from '@sep/registry/names';
import { type DeploymentTarget, targetKey } from '@sep/registry/targets';
import { REGION_AVAILABILITY_ZONES, type SupportedRegion } from '@sep/spec';
import {
  ArnFormat,
  CfnOutput,
  CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { createAccessLogBucket } from '../constructs/access-log-bucket';
import { PlatformKey } from '../constructs/platform-key';
import { platformParameterNames } from './platform-parameters';
import type { PortalHostingConfig } from './portal-context';
import { suppressPortalFindings } from './portal-suppressions';

/** The port the portal's server listens on inside the task. */
export const PORTAL_CONTAINER_PORT = 3000;
/** The readiness endpoint the load balancer's health check calls (answered 404 to the internet). */
export const READINESS_PATH = '/api/health/ready';
/**
 * The load balancer closes a connection idle this long. Event streams send a comment every 15 s
 * (`events/route.ts`), so an open stream is never idle this long; a stalled one is cut.
 */
export const IDLE_TIMEOUT = Duration.seconds(120);
/** Longer than the load balancer's idle timeout: the server never closes a connection the ALB may reuse. */
export const SERVER_KEEP_ALIVE_MS = IDLE_TIMEOUT.toMilliseconds() + 5_000;
/** WAF: requests one client IP may make in 5 minutes before it is blocked (pages poll, streams are long). */
export const RATE_LIMIT_PER_5_MINUTES = 2_000;
export const DEFAULT_VPC_CIDR = '10.80.0.0/20';
const REPOSITORY_ROOT = path.join(__dirname, '..', '..', '..');

export interface PortalStackProps extends StackProps {
  readonly hosting: PortalHostingConfig;
  /** The pipeline's name: the portal role's, the log groups' and the parameters' names derive from it. */
  readonly pipelineName: string;
  /** The portal role the pipeline stack defines: the task role, imported by name and never widened here. */
  readonly portalRoleName: string;
  /** The bootstrapped deployment targets (the portal's PORTAL_DEPLOYMENT_TARGETS). */
  readonly deploymentTargets: readonly DeploymentTarget[];
  /** @default the image built from portal/Dockerfile (the repository root as context) */
  readonly image?: ecs.ContainerImage;
  /** Tasks when idle, one per zone at least. @default 2 */
  readonly minTasks?: number;
  /** @default 6 */
  readonly maxTasks?: number;
  /** @default DEFAULT_VPC_CIDR */
  readonly vpcCidr?: string;
}

/**
 * The portal in aws mode: Next's standalone server in ECS Fargate behind an internet-facing
 * Application Load Balancer (README "Hosting the portal" says why), HTTPS only with a WAF in front.
 */
export class PortalStack extends Stack {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly service: ecs.FargateService;
  readonly webAcl: wafv2.CfnWebACL;
  readonly logGroup: logs.LogGroup;
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: PortalStackProps) {
    super(scope, id, props);
    const { hosting } = props;
    const region = this.region as SupportedRegion;
    const zones = REGION_AVAILABILITY_ZONES[region];
    if (zones === undefined) throw new Error(`portal hosting: no known availability zones in ${this.region}`);
    const safeName = props.pipelineName.replace(/[^\w.-]/g, '-');
    const logGroupName = `/sep/${safeName}/portal`;
    const wafLogGroupName = `aws-waf-logs-sep-${safeName}-portal`;
    const retention = kindPolicy('prod').logRetention;

    const key = new PlatformKey(this, 'PortalKey', {
      description: "Secure Environment Portal hosting: the portal's and its WAF's log groups",
      logGroupPatterns: [logGroupName, wafLogGroupName],
    }).key;
    // ALB access logs and VPC flow logs: S3 delivers load balancer logs to SSE-S3 buckets only.
    const accessLogs = createAccessLogBucket(this, 'AccessLogs');

    // Two zones, literal (no lookup at synth), a NAT gateway in each: the tasks call the OIDC issuer on
    // the internet and AWS APIs in the deployment targets' regions, which no VPC endpoint here reaches.
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.vpcCidr ?? DEFAULT_VPC_CIDR),
      availabilityZones: zones.slice(0, 2),
      natGateways: 2,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'edge', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'tasks', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 23 },
      ],
      // Free, and they keep registry/audit reads and image layers off the NAT gateways.
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    Validations.of(this.vpc).acknowledge({
      id: 'CloudFormation-Validate::W3010',
      reason:
        'The zones are literal by design (the region table of the spec): a lookup would need credentials at synth time.',
    });
    // cfn-lint reads its own metadata: the same acknowledgement for the template's linter.
    for (const subnet of [...this.vpc.publicSubnets, ...this.vpc.privateSubnets]) {
      (subnet.node.defaultChild as CfnResource).addMetadata('cfn-lint', {
        config: { ignore_checks: ['W3010'] },
      });
    }
    // aws-cdk-lib's default-SG helper declares a DependsOn its GetAtt already implies (cfn-lint W3005).
    const helper = this.node
      .tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider')
      ?.node.tryFindChild('Handler');
    if (helper instanceof CfnResource)
      helper.addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    this.vpc.addFlowLog('FlowLogs', {
      destination: ec2.FlowLogDestination.toS3(accessLogs, 'vpc-flow-logs/'),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    const albSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: this.vpc,
      description:
        'Portal load balancer: HTTPS (and HTTP, redirected) from engineers, to the portal tasks only',
      allowAllOutbound: false,
    });
    albSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from engineers');
    albSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP, redirected to HTTPS');
    const taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: 'Portal tasks: only the load balancer connects; HTTPS out to AWS APIs and the OIDC issuer',
      allowAllOutbound: false,
    });
    taskSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to AWS APIs and the issuer',
    );
    taskSecurityGroup.addIngressRule(
      albSecurityGroup,
      ec2.Port.tcp(PORTAL_CONTAINER_PORT),
      'The load balancer only',
    );
    albSecurityGroup.addEgressRule(
      taskSecurityGroup,
      ec2.Port.tcp(PORTAL_CONTAINER_PORT),
      'To the portal tasks only',
    );

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: true,
      vpcSubnets: { subnetGroupName: 'edge' },
      securityGroup: albSecurityGroup,
      idleTimeout: IDLE_TIMEOUT,
      dropInvalidHeaderFields: true,
      deletionProtection: true,
      http2Enabled: true,
      desyncMitigationMode: elbv2.DesyncMitigationMode.STRICTEST,
    });
    this.loadBalancer.logAccessLogs(accessLogs, 'load-balancer');

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      retention,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const parameters = platformParameterNames(props.pipelineName);
    const parameter = (name: string) => ssm.StringParameter.valueForStringParameter(this, name);
    const taskRole = iam.Role.fromRoleName(this, 'PortalRole', props.portalRoleName, { mutable: false });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 512,
      memoryLimitMiB: 1024,
      taskRole,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const origin = `https://${hosting.domainName}`;
    taskDefinition.addContainer('portal', {
      image:
        props.image ??
        ecs.ContainerImage.fromAsset(REPOSITORY_ROOT, {
          file: 'portal/Dockerfile',
          platform: Platform.LINUX_AMD64,
        }),
      portMappings: [{ containerPort: PORTAL_CONTAINER_PORT }],
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'portal' }),
      // Configuration only: the secrets are read by the portal from Secrets Manager (the *_ARN values).
      environment: {
        PORTAL_MODE: 'aws',
        PORTAL_HOST: '0.0.0.0',
        // The standalone server binds to HOSTNAME, which the container runtime may set to its own name.
        HOSTNAME: '0.0.0.0',
        PORT: String(PORTAL_CONTAINER_PORT),
        KEEP_ALIVE_TIMEOUT: String(SERVER_KEEP_ALIVE_MS),
        AWS_REGION: this.region,
        PORTAL_PUBLIC_ORIGIN: origin,
        PORTAL_PIPELINE_NAME: props.pipelineName,
        PORTAL_RELEASE_PIPELINE_NAME: releasePipelineName(props.pipelineName),
        PORTAL_PIPELINE_ACCOUNT: this.account,
        PORTAL_DEPLOYMENT_TARGETS: props.deploymentTargets.map(targetKey).join(','),
        PORTAL_REGISTRY_TABLE: parameter(parameters.registryTable),
        PORTAL_AUDIT_TABLE: parameter(parameters.auditTable),
        PORTAL_SESSION_TABLE: parameter(parameters.sessionTable),
        PORTAL_EVIDENCE_KMS_KEY_ID: parameter(parameters.evidenceSigningKey),
        PORTAL_COMPLIANCE_REPORTS_BUCKET: parameter(parameters.complianceReportsBucket),
        PORTAL_OIDC_ISSUER: hosting.oidcIssuer,
        PORTAL_OIDC_CLIENT_ID: hosting.oidcClientId,
        PORTAL_OIDC_REDIRECT_URI: `${origin}/api/auth/oidc/callback`,
        PORTAL_SESSION_SECRET_ARN: hosting.sessionSecretArn,
        PORTAL_OIDC_CLIENT_SECRET_ARN: hosting.oidcClientSecretArn,
        ...(hosting.apiTokensSecretArn === undefined
          ? {}
          : { PORTAL_API_TOKENS_SECRET_ARN: hosting.apiTokensSecretArn }),
      },
    });

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const minTasks = props.minTasks ?? 2;
    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: minTasks,
      vpcSubnets: { subnetGroupName: 'tasks' },
      securityGroups: [taskSecurityGroup],
      assignPublicIp: false,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
      platformVersion: ecs.FargatePlatformVersion.LATEST,
    });

    const targetGroup = new elbv2.ApplicationTargetGroup(this, 'Targets', {
      vpc: this.vpc,
      port: PORTAL_CONTAINER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [this.service],
      // Event streams reconnect by themselves (`retry: 3000`): a draining task need not wait long.
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: READINESS_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    const https = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [acm.Certificate.fromCertificateArn(this, 'Certificate', hosting.certificateArn)],
      sslPolicy: elbv2.SslPolicy.TLS13_RES,
      defaultTargetGroups: [targetGroup],
      open: false,
    });
    https.addAction('HideHealth', {
      priority: 1,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/api/health/*'])],
      action: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'text/plain',
        messageBody: 'Not Found',
      }),
    });
    const redirect = this.loadBalancer.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });

    const scaling = this.service.autoScaleTaskCount({
      minCapacity: minTasks,
      maxCapacity: props.maxTasks ?? 6,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
    scaling.scaleOnRequestCount('Requests', { requestsPerTarget: 600, targetGroup });

    this.webAcl = this.createWebAcl(wafLogGroupName, key, retention);

    suppressPortalFindings({
      accessLogs,
      loadBalancerSecurityGroup: albSecurityGroup,
      redirectListener: redirect,
      vpc: this.vpc,
      taskDefinition,
    });

    new CfnOutput(this, 'PortalUrl', {
      value: origin,
      description: 'Open this once DNS points at the load balancer',
    });
    new CfnOutput(this, 'LoadBalancerDnsName', {
      value: this.loadBalancer.loadBalancerDnsName,
      description: `Point ${hosting.domainName} here (CNAME, or a Route 53 alias record)`,
    });
    new CfnOutput(this, 'OidcRedirectUri', {
      value: `${origin}/api/auth/oidc/callback`,
      description: "Register this as the portal client's redirect URI at the issuer",
    });
    new CfnOutput(this, 'LogGroupName', { value: this.logGroup.logGroupName });
    new CfnOutput(this, 'ServiceName', { value: this.service.serviceName });
    new CfnOutput(this, 'WebAclArn', { value: this.webAcl.attrArn });
  }

  /**
   * The region's zones from the spec's table: an environment-specific stack would otherwise ask the CLI
   * to look them up (credentials the synth step has not), and the VPC checks its zones against these.
   */
  override get availabilityZones(): string[] {
    const zones = REGION_AVAILABILITY_ZONES[this.region as SupportedRegion];
    return zones === undefined ? super.availabilityZones : [...zones];
  }

  private createWebAcl(logGroupName: string, key: PlatformKey['key'], retention: logs.RetentionDays) {
    const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
    });
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: 'sep-portal',
        sampledRequestsEnabled: true,
      },
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: RATE_LIMIT_PER_5_MINUTES, aggregateKeyType: 'IP' } },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'RateLimitPerIp',
            sampledRequestsEnabled: true,
          },
        },
        managed('AWSManagedRulesCommonRuleSet', 1),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.loadBalancer.loadBalancerArn,
      webAclArn: webAcl.attrArn,
    });
    const wafLogs = new logs.LogGroup(this, 'WafLogs', {
      logGroupName,
      retention,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // Session cookies and bearer tokens never reach the WAF log.
      redactedFields: [{ singleHeader: { Name: 'cookie' } }, { singleHeader: { Name: 'authorization' } }],
    }).node.addDependency(wafLogs);
    return webAcl;
  }
}
