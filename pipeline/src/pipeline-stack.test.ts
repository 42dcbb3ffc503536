import { Match } from 'aws-cdk-lib/assertions';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { actionEnvironment } from './names';
import { environment, PIPELINE_ACCOUNT, synthesizePipeline } from './test-support/pipeline-fixture';

const STAGING_ACCOUNT = '222222222222';
const PROD_ACCOUNT = '333333333333';

// One synthesized app for the whole file.
const synthesized = synthesizePipeline({
  environments: [
    environment({ environmentSuffix: 'pr-2' }, '2026-11-02T00:00:00.000Z'),
    environment({ environmentSuffix: 'pr-1' }, '2026-11-01T00:00:00.000Z'),
    environment({ environmentSuffix: 'feature-x', region: 'ap-southeast-1' }, '2026-11-03T00:00:00.000Z'),
    environment({
      environmentSuffix: 'staging',
      kind: 'staging',
      account: STAGING_ACCOUNT,
      alertEmails: ['ops@example.com'],
    }),
    environment({
      environmentSuffix: 'prod',
      kind: 'prod',
      account: PROD_ACCOUNT,
      alertEmails: ['ops@example.com'],
    }),
  ],
  skipped: [{ environmentSuffix: 'broken', reason: 'invalid registry entry: spec.region: bad' }],
});
const { stages, template, app, stack } = synthesized;
const assembly = app.synth();

function stackArtifact(suffix: string): CloudFormationStackArtifact {
  const stage = assembly.getNestedAssembly(`assembly-PipelineStack-${suffix}`);
  const stack = stage.stacks[0];
  if (stack === undefined) throw new Error(`no stack in stage ${suffix}`);
  return stack;
}

describe('stages', () => {
  it('runs source, synth, self-mutation, assets, account security, the ephemeral wave, staging, then prod', () => {
    expect(stages.map((stage) => stage.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Assets',
      'account-security',
      'ephemeral-01',
      'staging',
      'prod',
    ]);
  });

  it('has one stage per registered environment, oldest first, each ending with its smoke test', () => {
    const byEnvironment = new Map<string, { stage: string; steps: Map<string, number> }>();
    for (const stage of stages) {
      for (const action of stage.Actions) {
        const located = actionEnvironment({ stageName: stage.Name, actionName: action.Name });
        if (located === undefined) continue;
        const suffix = located.environmentSuffix ?? (stage.Name === 'prod' ? 'prod' : 'staging');
        const entry = byEnvironment.get(suffix) ?? { stage: stage.Name, steps: new Map<string, number>() };
        entry.steps.set(located.step, action.RunOrder ?? 1);
        byEnvironment.set(suffix, entry);
      }
    }
    expect([...byEnvironment.keys()]).toEqual(['pr-1', 'pr-2', 'feature-x', 'staging', 'prod']);
    expect(byEnvironment.get('pr-2')?.stage).toBe('ephemeral-01');
    expect(byEnvironment.get('staging')?.stage).toBe('staging');
    expect(byEnvironment.get('prod')?.stage).toBe('prod');
    for (const [suffix, { steps }] of byEnvironment) {
      // One CREATE_UPDATE deploy per stack (no change-set pair: see USE_CHANGE_SETS), then the smoke test.
      expect([suffix, [...steps.keys()].sort()]).toEqual([suffix, ['deploy', 'smoke']]);
      expect(steps.get('smoke')).toBeGreaterThan(steps.get('deploy') ?? Number.POSITIVE_INFINITY);
    }
  });

  it('deploys each stack with one CloudFormation CREATE_UPDATE action', () => {
    const deploys = stages
      .flatMap((stage) => stage.Actions)
      .filter((action) => action.ActionTypeId.Provider === 'CloudFormation');
    expect(deploys.length).toBeGreaterThanOrEqual(5);
    for (const action of deploys) {
      expect([action.Name, action.Configuration?.ActionMode]).toEqual([action.Name, 'CREATE_UPDATE']);
    }
  });

  it('feeds the smoke test the stage outputs as variables and the cloud assembly as input', () => {
    const smoke = stages
      .find((s) => s.Name === 'ephemeral-01')
      ?.Actions.find((a) => a.Name === 'feature-x.Smoke');
    expect(JSON.stringify(smoke)).toContain('"InputArtifacts":[{"Name":"Synth_Output"}]');
    const variables = JSON.parse(String(smoke?.Configuration?.EnvironmentVariables));
    expect(variables).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'API_URL',
          value: expect.stringMatching(/^#\{[\w.-]+\.ApiUrl\w*\}$/),
        }),
        expect.objectContaining({
          name: 'API_KEY_ID',
          value: expect.stringMatching(/^#\{[\w.-]+\.ApiKeyId\w*\}$/),
        }),
      ]),
    );
  });

  it('shares one smoke CodeBuild project across environments', () => {
    const projects = new Set(
      stages
        .flatMap((stage) => stage.Actions)
        .filter((action) => action.Name.endsWith('.Smoke'))
        .map((action) => JSON.stringify(action.Configuration?.ProjectName)),
    );
    expect(projects.size).toBe(1);
  });

  it('asks for the PromoteToProd approval before anything deploys to prod', () => {
    const prod = stages.find((stage) => stage.Name === 'prod');
    const approval = prod?.Actions.find((action) => action.Name === 'PromoteToProd');
    expect(approval?.ActionTypeId).toMatchObject({ Category: 'Approval', Provider: 'Manual' });
    const others = prod?.Actions.filter((action) => action !== approval) ?? [];
    expect(others.length).toBeGreaterThan(0);
    for (const action of others) expect(action.RunOrder).toBeGreaterThan(approval?.RunOrder ?? 1);
  });

  it('deploys account security once per target account and region', () => {
    const security = stages.find((stage) => stage.Name === 'account-security');
    const targets = (security?.Actions ?? [])
      .filter((action) => action.Name.endsWith('.Deploy'))
      .map((action) => action.Name.split('.')[0]);
    expect(security?.Actions.every((action) => action.RunOrder !== undefined)).toBe(true);
    expect(targets).toEqual([
      `account-security-${PIPELINE_ACCOUNT}-us-east-1`,
      `account-security-${PIPELINE_ACCOUNT}-ap-southeast-1`,
      `account-security-${STAGING_ACCOUNT}-us-east-1`,
      `account-security-${PROD_ACCOUNT}-us-east-1`,
    ]);
  });
});

describe('environment stacks', () => {
  it('turns termination protection on for prod only', () => {
    expect(stackArtifact('prod').terminationProtection).toBe(true);
    expect(stackArtifact('staging').terminationProtection).toBeFalsy();
    expect(stackArtifact('pr-1').terminationProtection).toBeFalsy();
  });

  it('tags each stack with its suffix and kind (the portal may delete only EnvironmentKind=ephemeral)', () => {
    expect(stackArtifact('pr-1').tags).toMatchObject({ Environment: 'pr-1', EnvironmentKind: 'ephemeral' });
    expect(stackArtifact('prod').tags).toMatchObject({ Environment: 'prod', EnvironmentKind: 'prod' });
  });

  it('deploys each environment to its own account and region', () => {
    expect(stackArtifact('prod').environment).toMatchObject({ account: PROD_ACCOUNT, region: 'us-east-1' });
    expect(stackArtifact('feature-x').environment).toMatchObject({
      account: PIPELINE_ACCOUNT,
      region: 'ap-southeast-1',
    });
  });
});

describe('pipeline', () => {
  it('is a V2 pipeline with cross-account keys when staging and prod live elsewhere', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', { PipelineType: 'V2' });
    const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0] as {
      Properties: {
        ArtifactStores: { Region: string; ArtifactStore: { EncryptionKey?: { Type: string } } }[];
      };
    };
    // One artifact store per region, each encrypted with a KMS key other accounts can be granted.
    expect(pipeline.Properties.ArtifactStores.map((store) => store.Region).sort()).toEqual([
      'ap-southeast-1',
      'us-east-1',
    ]);
    for (const store of pipeline.Properties.ArtifactStores) {
      expect(store.ArtifactStore.EncryptionKey?.Type).toBe('KMS');
    }
  });

  it('reads the registry into a file before synth and reads only that file in synth', () => {
    const build = stages.find((stage) => stage.Name === 'Build');
    expect(build?.Actions).toHaveLength(1);
    const projects = template.findResources('AWS::CodeBuild::Project');
    const synth = Object.values(projects).find((project) =>
      JSON.stringify(project).includes('export-registry.ts'),
    ) as { Properties: { Source: { BuildSpec: string } } };
    const buildSpec = JSON.parse(synth.Properties.Source.BuildSpec);
    const commands: string[] = buildSpec.phases.build.commands;
    const exportAt = commands.findIndex((c) => c.includes('export-registry.ts'));
    const synthAt = commands.findIndex((c) => c.includes('cdk synth'));
    expect(exportAt).toBeGreaterThanOrEqual(0);
    expect(synthAt).toBeGreaterThan(exportAt);
    expect(commands[synthAt]).toContain('ENVIRONMENTS_FILE=environments.json');
  });

  it('publishes every stage’s cdk-nag report after synth, allowed to put exactly those objects', () => {
    const projects = template.findResources('AWS::CodeBuild::Project');
    const [logicalId, synth] = Object.entries(projects).find(([, project]) =>
      JSON.stringify(project).includes('export-registry.ts'),
    ) as [
      string,
      { Properties: { Source: { BuildSpec: string }; Environment: unknown; ServiceRole: unknown } },
    ];
    expect(logicalId).toBeDefined();
    const commands: string[] = JSON.parse(synth.Properties.Source.BuildSpec).phases.build.commands;
    const publishAt = commands.findIndex((c) => c.includes('publish-nag-reports.ts'));
    expect(publishAt).toBeGreaterThan(commands.findIndex((c) => c.includes('cdk synth')));
    expect(commands[publishAt]).toBe(
      'npx tsx pipeline/scripts/publish-nag-reports.ts --assembly pipeline/cdk.out --bucket "$COMPLIANCE_REPORTS_BUCKET"',
    );
    const bucketRef = synthesized.stack.resolve(synthesized.stack.complianceReports.bucket.bucketName);
    expect(synth.Properties.Environment).toMatchObject({
      EnvironmentVariables: expect.arrayContaining([
        { Name: 'COMPLIANCE_REPORTS_BUCKET', Type: 'PLAINTEXT', Value: bucketRef },
      ]),
    });
    // The synth role: PutObject under nag-reports/ only, and the platform key through S3 only.
    const roleId = (synth.Properties.ServiceRole as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
      );
    const writes = statements.filter((s) => JSON.stringify(s).includes(`"${bucketRef.Ref}"`));
    expect(writes).toEqual([
      expect.objectContaining({
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketRef.Ref, 'Arn'] }, '/nag-reports/*']] },
      }),
    ]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'kms:GenerateDataKey',
        Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
      }),
    );
    template.hasOutput('ComplianceReportsBucketName', { Value: bucketRef });
  });

  it('reports skipped registry entries by suffix', () => {
    const warnings = synthesized.stack.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning');
    expect(warnings.map((w) => String(w.data))).toEqual([
      expect.stringContaining('registry entry "broken" skipped: invalid registry entry: spec.region: bad'),
    ]);
  });

  it('keeps the registry table encrypted with the platform key, with PITR, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'environmentSuffix', KeyType: 'HASH' }],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
        DeletionProtectionEnabled: true,
      }),
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      Description: Match.stringLikeRegexp('platform'),
    });
  });

  it("keeps the portal's audit log in its own table: platform key, PITR, retained, deletion-protected, its name an output", () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
        DeletionProtectionEnabled: true,
      }),
    });
    template.hasOutput('PortalAuditTableName', {
      Value: { Ref: Match.stringLikeRegexp('^PortalAuditLogTable') },
    });
  });
});

describe('TTL sweeper', () => {
  it('reads, waits on and deletes sep- stacks only, naming them (no Resource "*", no listing)', () => {
    const roleArn = stack.resolve(stack.sweeper.function.role?.roleArn) as { 'Fn::GetAtt': [string] };
    const [roleId] = roleArn['Fn::GetAtt'];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap(
        (policy) =>
          policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      );
    const cloudFormation = statements.filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('cloudformation:')),
    );
    expect(cloudFormation.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([
      'cloudformation:DeleteStack',
      'cloudformation:DescribeStackEvents',
      'cloudformation:DescribeStacks',
    ]);
    for (const statement of cloudFormation) {
      expect(JSON.stringify(stack.resolve(statement.Resource))).toContain(':stack/sep-*/*');
    }
    expect(statements.filter((statement) => statement.Resource === '*')).toEqual([]);
  });

  it('runs every 15 minutes', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: Match.objectLike({ STACK_NAME_PREFIX: 'sep-' }) } },
    });
    const [logicalId] = Object.keys(functions);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId, 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({ PIPELINE_NAME: 'sep-delivery', NOTIFY_TOPIC_ARN: Match.anyValue() }),
      },
    });
  });
});
