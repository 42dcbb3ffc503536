import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIN_REASON_LENGTH, type NagReport } from '@sep/infra';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { renderSuppressions } from '../nag/suppressions-doc';
import { applyPipelineCompliancePacks } from '../pipeline-stack';
import { synthesizePipeline } from '../test-support/pipeline-fixture';
import { HOSTING } from '../test-support/portal-hosting';
import { PORTAL_SUPPRESSIONS_DOC } from './portal-suppressions';

// One synthesis (slow: the whole pipeline with the packs on the portal stage), read by every test.
const synthesized = synthesizePipeline({ environments: [], nag: true, portalHosting: HOSTING });
const { stack, stages, template: pipelineTemplate } = synthesized;
const collector = applyPipelineCompliancePacks(stack);
const assembly = synthesized.app.synth();
const portalStage = stack.portalStage;
if (portalStage === undefined) throw new Error('no portal stage');
const template = Template.fromStack(portalStage.stack);
const resources = (type: string) =>
  Object.values(template.findResources(type)) as { Properties: Record<string, unknown> }[];

/** The one resource of a type. */
const one = (type: string) => {
  const all = resources(type);
  if (all.length !== 1) throw new Error(`${all.length} ${type} resources`);
  return all[0] as { Properties: Record<string, unknown> };
};

const findings = (report: NagReport) =>
  report.packs.flatMap((pack) =>
    [...pack.errors, ...pack.warnings].map((f) => `${f.ruleId} ${f.resource} ${f.findingId ?? ''}`.trim()),
  );

describe('the Portal stage of the environments pipeline', () => {
  it('deploys after self-mutation and the assets, before the account-security wave and any environment', () => {
    expect(stages.map((stage) => stage.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Assets',
      'Portal',
      'account-security',
    ]);
    const portal = stages.find((stage) => stage.Name === 'Portal');
    expect(portal?.Actions.map((action) => action.ActionTypeId.Provider)).toEqual(['CloudFormation']);
  });

  it('stages the image context (portal/Dockerfile, the repository without node_modules) and needs no Docker to synthesize', () => {
    const nested = assembly.getNestedAssembly(portalStage.artifactId);
    // No lookup (the zones come from the spec's table): the CLI would need credentials for one.
    expect(nested.manifest.missing).toBeUndefined();
    const manifest = JSON.parse(
      readFileSync(join(nested.directory, `${portalStage.stack.artifactId}.assets.json`), 'utf8'),
    ) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile: string; platform: string } }>;
    };
    const images = Object.values(manifest.dockerImages);
    expect(images).toHaveLength(1);
    const [image] = images;
    expect(image?.source).toMatchObject({ dockerFile: 'portal/Dockerfile', platform: 'linux/amd64' });
    const context = join(nested.directory, image?.source.directory ?? '');
    expect(existsSync(join(context, 'portal', 'Dockerfile'))).toBe(true);
    expect(existsSync(join(context, 'package-lock.json'))).toBe(true);
    expect(readdirSync(context)).not.toContain('node_modules');
    expect(existsSync(join(context, 'portal', 'node_modules'))).toBe(false);
    expect(existsSync(join(context, 'portal', '.next'))).toBe(false);
  });

  it('is clean under AwsSolutions, PCI DSS 3.2.1, NIST 800-53 R5 and Sep, every suppression explained', () => {
    const report = portalStage.nagReport();
    expect(findings(report)).toEqual([]);
    for (const pack of report.packs) expect(pack.rulesChecked).toBeGreaterThan(0);
    for (const entry of report.packs.flatMap((pack) => pack.suppressed)) {
      expect(entry.reason.length).toBeGreaterThanOrEqual(MIN_REASON_LENGTH);
      if (/^(AwsSolutions-IAM[45]|Sep-PolicyNoWildcardActions)$/.test(entry.ruleId))
        expect(entry.findingId).toMatch(/^(Action|Resource)::/);
    }
    // The pipeline stack itself (the docker asset role included) stays clean too.
    expect(findings(collector.report('PipelineStack'))).toEqual([]);
  });

  it('lists every suppression of the portal stack in pipeline/README.md (UPDATE_NAG_DOC=1 rewrites it)', () => {
    const readmePath = join(__dirname, '..', '..', 'README.md');
    const readme = readFileSync(readmePath, 'utf8');
    const markers = PORTAL_SUPPRESSIONS_DOC;
    const start = readme.indexOf(markers.start);
    const end = readme.indexOf(markers.end);
    expect(start).toBeGreaterThanOrEqual(0);
    const current = readme.slice(start, end + markers.end.length);
    const generated = renderSuppressions([portalStage.nagReport()], markers);
    if (process.env.UPDATE_NAG_DOC === '1' && current !== generated) {
      writeFileSync(readmePath, readme.replace(current, generated));
      return;
    }
    expect(current).toBe(generated);
  });
});

describe('PortalStack: HTTPS only, behind a WAF', () => {
  it('terminates TLS 1.2+ with the configured certificate and redirects HTTP to HTTPS', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
      Certificates: [{ CertificateArn: HOSTING.certificateArn }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
      ],
    });
    // The readiness endpoint answers the health check only, never the internet.
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/health/*'] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) }],
    });
  });

  it('keeps event streams open (idle timeout 120 s), drops invalid headers and logs access to the SSE-S3 bucket', () => {
    const alb = one('AWS::ElasticLoadBalancingV2::LoadBalancer');
    const attributes = Object.fromEntries(
      (alb.Properties.LoadBalancerAttributes as { Key: string; Value: string }[]).map((a) => [
        a.Key,
        a.Value,
      ]),
    );
    expect(attributes).toMatchObject({
      'idle_timeout.timeout_seconds': '120',
      'routing.http.drop_invalid_header_fields.enabled': 'true',
      'deletion_protection.enabled': 'true',
      'access_logs.s3.enabled': 'true',
      'access_logs.s3.prefix': 'load-balancer',
    });
    expect(alb.Properties.Scheme).toBe('internet-facing');
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it('puts a web ACL with a per-IP rate limit, the common and the known-bad-inputs rules on the load balancer, logging without cookies or tokens', () => {
    const rules = one('AWS::WAFv2::WebACL').Properties.Rules as {
      Name: string;
      Statement: Record<string, unknown>;
    }[];
    expect(rules.map((rule) => rule.Name)).toEqual([
      'RateLimitPerIp',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    expect(rules[0]?.Statement).toEqual({ RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: [{ SingleHeader: { Name: 'cookie' } }, { SingleHeader: { Name: 'authorization' } }],
    });
  });
});

describe('PortalStack: the tasks', () => {
  it('runs as the portal role of the pipeline stack (imported, not widened) and creates no task role', () => {
    const task = one('AWS::ECS::TaskDefinition');
    expect(JSON.stringify(stack.resolve(task.Properties.TaskRoleArn))).toContain(':role/sep-delivery-portal');
    // Only the execution role (image pull, log writes) and aws-cdk-lib's default-SG helper role.
    const roles = resources('AWS::IAM::Role').map((role) =>
      JSON.stringify(role.Properties.AssumeRolePolicyDocument),
    );
    expect(roles).toHaveLength(2);
    expect(roles.filter((doc) => doc.includes('ecs-tasks.amazonaws.com'))).toHaveLength(1);
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toContain('sep-delivery-portal');
    expect(policies).not.toContain('secretsmanager:');
  });

  it('passes configuration and secret ARNs, never secret values, and the table names through SSM', () => {
    const task = one('AWS::ECS::TaskDefinition');
    const [container] = task.Properties.ContainerDefinitions as {
      Environment: { Name: string; Value: unknown }[];
      Secrets?: unknown;
    }[];
    const env = Object.fromEntries((container?.Environment ?? []).map((e) => [e.Name, e.Value]));
    expect(env).toMatchObject({
      PORTAL_MODE: 'aws',
      PORTAL_PUBLIC_ORIGIN: 'https://portal.bank.example',
      PORTAL_OIDC_REDIRECT_URI: 'https://portal.bank.example/api/auth/oidc/callback',
      PORTAL_SESSION_SECRET_ARN: HOSTING.sessionSecretArn,
      PORTAL_OIDC_CLIENT_SECRET_ARN: HOSTING.oidcClientSecretArn,
      PORTAL_API_TOKENS_SECRET_ARN: HOSTING.apiTokensSecretArn,
      PORTAL_DEPLOYMENT_TARGETS: '111111111111/us-east-1',
      KEEP_ALIVE_TIMEOUT: '125000',
    });
    for (const plain of ['PORTAL_SESSION_SECRET', 'PORTAL_OIDC_CLIENT_SECRET', 'PORTAL_API_TOKENS'])
      expect(env[plain]).toBeUndefined();
    expect(JSON.stringify(env.PORTAL_REGISTRY_TABLE)).toContain('Ref');
    expect(JSON.stringify(env.PORTAL_EVIDENCE_KMS_KEY_ID)).toContain('Ref');
    expect(JSON.stringify(template.toJSON().Parameters)).toContain(
      '/sep/sep-delivery/platform/registry-table-name',
    );
    expect(JSON.stringify(template.toJSON().Parameters)).toContain(
      '/sep/sep-delivery/platform/evidence-signing-key-arn',
    );
  });

  it('keeps two tasks or more in two zones, rolls a failed deployment back, and scales on CPU and requests', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 2,
      LaunchType: 'FARGATE',
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 6,
    });
    const metrics = resources('AWS::ApplicationAutoScaling::ScalingPolicy').map(
      (policy) =>
        (
          policy.Properties.TargetTrackingScalingPolicyConfiguration as {
            PredefinedMetricSpecification: { PredefinedMetricType: string };
          }
        ).PredefinedMetricSpecification.PredefinedMetricType,
    );
    expect(metrics.sort()).toEqual(['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
    const subnets = resources('AWS::EC2::Subnet').map((subnet) => subnet.Properties.AvailabilityZone);
    expect(new Set(subnets)).toEqual(new Set(['us-east-1a', 'us-east-1b']));
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/api/health/ready',
      TargetType: 'ip',
    });
  });

  it('lets only the load balancer reach the tasks, and the tasks out on HTTPS only', () => {
    const ingress = resources('AWS::EC2::SecurityGroupIngress');
    expect(ingress).toHaveLength(1);
    expect(ingress[0]?.Properties).toMatchObject({ FromPort: 3000, ToPort: 3000, IpProtocol: 'tcp' });
    expect(ingress[0]?.Properties.SourceSecurityGroupId).toBeDefined();
    const groups = resources('AWS::EC2::SecurityGroup');
    const task = groups.find((g) => String(g.Properties.GroupDescription).startsWith('Portal tasks'));
    expect(task?.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
    ]);
    expect(task?.Properties.SecurityGroupIngress).toBeUndefined();
  });

  it('logs to a KMS-encrypted log group kept 90 days, like the environments', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/sep/sep-delivery/portal',
      RetentionInDays: 90,
      KmsKeyId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('the pipeline stack, with the portal hosted', () => {
  const roles = pipelineTemplate.findResources('AWS::IAM::Role', {
    Properties: { RoleName: 'sep-delivery-portal' },
  });
  const [role] = Object.values(roles) as { Properties: { AssumeRolePolicyDocument: unknown } }[];

  it("lets only the portal's ECS tasks of this account and region assume the portal role", () => {
    expect(stack.resolve(role?.Properties.AssumeRolePolicyDocument)).toMatchObject({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Principal: { Service: 'ecs-tasks.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111111111111' },
            ArnLike: {
              'aws:SourceArn': {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:us-east-1:111111111111:*']],
              },
            },
          },
        },
      ],
    });
  });

  it('grants the portal role its three secrets by ARN and their key through Secrets Manager only', () => {
    const statements = Object.values(pipelineTemplate.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties
          .PolicyDocument.Statement,
    );
    expect(statements.find((s) => s.Sid === 'ReadPortalSecrets')).toMatchObject({
      Action: 'secretsmanager:GetSecretValue',
      Resource: [HOSTING.sessionSecretArn, HOSTING.oidcClientSecretArn, HOSTING.apiTokensSecretArn],
    });
    expect(statements.find((s) => s.Sid === 'DecryptPortalSecrets')).toMatchObject({
      Action: 'kms:Decrypt',
      Resource: HOSTING.secretsKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    });
  });
});
