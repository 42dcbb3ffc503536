import { actionEnvironment } from '@sep/registry/names';
import { Match } from 'aws-cdk-lib/assertions';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import type { AccountSecurityStageProps } from './environment-stages';
import {
  buildPipelineStack,
  environment,
  PIPELINE_ACCOUNT,
  synthesizePipeline,
} from './test-support/pipeline-fixture';
import { createSmallAccountSecurityStage } from './test-support/small-stages';

const STAGING_ACCOUNT = '222222222222';
const PROD_ACCOUNT = '333333333333';

// One synthesized app for the whole file. Why the file stays over ~400 lines (issue #13): every
// describe reads this one synthesis, and jest gives each test file its own module registry, so
// test-support/pipeline-fixture.ts cannot share it between files. Splitting by concern would
// synthesize the same pipeline (five environment stages) once per file.
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
const { stages, releaseStages, template, app, stack } = synthesized;
const allStages = [...stages, ...releaseStages];
const assembly = app.synth();

function stackArtifact(suffix: string): CloudFormationStackArtifact {
  const stage = assembly.getNestedAssembly(`assembly-PipelineStack-${suffix}`);
  const stack = stage.stacks[0];
  if (stack === undefined) throw new Error(`no stack in stage ${suffix}`);
  return stack;
}

describe('stages', () => {
  it('runs source, synth, self-mutation, assets, account security, then the ephemeral waves', () => {
    expect(stages.map((stage) => stage.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Assets',
      'account-security',
      'ephemeral-01',
    ]);
  });

  it('promotes in a release pipeline of its own, which no request self-mutates: staging, PromoteToProd, prod', () => {
    expect(releaseStages.map((stage) => stage.Name)).toEqual([
      'Source',
      'Build',
      'Assets',
      'staging',
      'prod',
    ]);
  });

  it('has one stage per registered environment, oldest first, each ending with its smoke test', () => {
    const byEnvironment = new Map<string, { stage: string; steps: Map<string, number> }>();
    for (const stage of allStages) {
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
    const deploys = allStages
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
        // Whose smoke-test role to assume (the region comes from the API URL).
        { name: 'TARGET_ACCOUNT', type: 'PLAINTEXT', value: PIPELINE_ACCOUNT },
      ]),
    );
    // The default route and a REGIONAL API: nothing more per action.
    expect(variables).toHaveLength(3);
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
    const prod = releaseStages.find((stage) => stage.Name === 'prod');
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
  const pipelineResource = (construct: typeof stack.pipeline) =>
    template.toJSON().Resources[stack.getLogicalId(construct.pipeline.node.defaultChild as never)];

  it('runs the environments pipeline SUPERSEDED and the release pipeline QUEUED, restarted when its definition changes', () => {
    expect(pipelineResource(stack.pipeline).Properties).toMatchObject({
      Name: 'sep-delivery',
      ExecutionMode: 'SUPERSEDED',
      RestartExecutionOnUpdate: true,
    });
    expect(pipelineResource(stack.releasePipeline).Properties).toMatchObject({
      Name: 'sep-delivery-release',
      ExecutionMode: 'QUEUED',
      RestartExecutionOnUpdate: true,
    });
    template.hasOutput('ReleasePipelineName', { Value: 'sep-delivery-release' });
  });

  it('is a V2 pipeline with cross-account keys when staging and prod live elsewhere', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', { PipelineType: 'V2' });
    const pipeline = pipelineResource(stack.pipeline) as {
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
      'npx tsx pipeline/scripts/publish-nag-reports.ts --assembly pipeline/cdk.out --bucket "$COMPLIANCE_REPORTS_BUCKET" --environments pipeline/environments.json --execution "$PIPELINE_EXECUTION_ID"',
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

  it('hands each execution’s synth its own execution ID, on the action (a project variable would be one value for all)', () => {
    for (const pipelineStages of [stages, releaseStages]) {
      const build = pipelineStages.find((stage) => stage.Name === 'Build');
      const configuration = build?.Actions[0]?.Configuration as { EnvironmentVariables?: string };
      expect(JSON.parse(configuration.EnvironmentVariables ?? '[]')).toContainEqual({
        name: 'PIPELINE_EXECUTION_ID',
        type: 'PLAINTEXT',
        value: '#{codepipeline.PipelineExecutionId}',
      });
    }
    const projectVariables = Object.values(template.findResources('AWS::CodeBuild::Project')).flatMap(
      (project) => (project.Properties.Environment.EnvironmentVariables ?? []) as { Name: string }[],
    );
    expect(projectVariables.map((variable) => variable.Name)).not.toContain('PIPELINE_EXECUTION_ID');
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

  it('keeps the sessions the portal ended in a table its tasks share: TTL on expiresAt, platform key, PITR, deletion-protected', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
        DeletionProtectionEnabled: true,
      }),
    });
    template.hasOutput('EvidenceSigningKeyArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EvidenceSigningKey'), 'Arn'] },
    });
    template.hasOutput('PortalSessionTableName', {
      Value: { Ref: Match.stringLikeRegexp('^PortalSessionsTable') },
    });
  });
});

/** The statements of a role's policies in the pipeline stack, resolved. */
function statementsOf(role: import('aws-cdk-lib/aws-iam').IRole | undefined) {
  const roleArn = stack.resolve(role?.roleArn) as { 'Fn::GetAtt': [string] };
  const [roleId] = roleArn['Fn::GetAtt'];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
    .flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as {
          Sid?: string;
          Action: string | string[];
          Resource: unknown;
        }[],
    );
}

const ROLE_OF = (account: string, name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/${name}`]],
});

describe('TTL sweeper', () => {
  it('reaches environment stacks only through the platform-access role of each target, named exactly', () => {
    const statements = statementsOf(stack.sweeper.function.role);
    expect(statements.flatMap((statement) => [statement.Action].flat())).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^cloudformation:/)]),
    );
    const assume = statements.find((statement) => statement.Sid === 'AssumeTargetPlatformAccessRoles');
    expect(assume?.Action).toBe('sts:AssumeRole');
    expect(assume?.Resource).toEqual([
      ROLE_OF(PIPELINE_ACCOUNT, 'sep-account-us-east-1-platform'),
      ROLE_OF(PIPELINE_ACCOUNT, 'sep-account-ap-southeast-1-platform'),
      ROLE_OF(STAGING_ACCOUNT, 'sep-account-us-east-1-platform'),
      ROLE_OF(PROD_ACCOUNT, 'sep-account-us-east-1-platform'),
    ]);
    expect(statements.find((statement) => statement.Sid === 'EnvironmentsPipeline')?.Action).toEqual([
      'codepipeline:StartPipelineExecution',
      'codepipeline:ListPipelineExecutions',
    ]);
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
        Variables: Match.objectLike({
          PIPELINE_NAME: 'sep-delivery',
          DEFAULT_ACCOUNT: PIPELINE_ACCOUNT,
          NOTIFY_TOPIC_ARN: Match.anyValue(),
        }),
      },
    });
  });
});

describe('smoke test', () => {
  it("may only assume each target's smoke-test role, whose name the target's API policy allows", () => {
    const statements = statementsOf(stack.smokeTest.role);
    const own = statements.filter((statement) => statement.Sid === 'AssumeTargetSmokeTestRoles');
    expect(own).toEqual([
      expect.objectContaining({
        Action: 'sts:AssumeRole',
        Resource: [
          ROLE_OF(PIPELINE_ACCOUNT, 'sep-account-us-east-1-smoke'),
          ROLE_OF(PIPELINE_ACCOUNT, 'sep-account-ap-southeast-1-smoke'),
          ROLE_OF(STAGING_ACCOUNT, 'sep-account-us-east-1-smoke'),
          ROLE_OF(PROD_ACCOUNT, 'sep-account-us-east-1-smoke'),
        ],
      }),
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/apigateway:|execute-api:/);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'sep-delivery-smoke-test' });
  });

  it('calls the health route without the document pipeline and reports a PRIVATE API as skipped', () => {
    const { stack: other, stages: otherStages } = synthesizePipeline({
      environments: [
        environment({ environmentSuffix: 'no-docs', features: { documentPipeline: false } }),
        environment({ environmentSuffix: 'inside', features: { apiEndpointType: 'PRIVATE' } }),
      ],
    });
    const pipelineStages = otherStages.flatMap((stage) => stage.Actions);
    const variablesOf = (name: string) =>
      JSON.parse(
        String(
          pipelineStages.find((action) => action.Name === name)?.Configuration?.EnvironmentVariables ?? '[]',
        ),
      ) as {
        name: string;
        value: string;
      }[];
    expect(variablesOf('no-docs.Smoke')).toContainEqual({
      name: 'SMOKE_ROUTE',
      type: 'PLAINTEXT',
      value: 'GET health',
    });
    expect(variablesOf('inside.Smoke')).toContainEqual({
      name: 'SMOKE_SKIP',
      type: 'PLAINTEXT',
      value: 'PRIVATE',
    });
    expect(
      other.node.metadata
        .filter((entry) => entry.type === 'aws:cdk:warning')
        .map((entry) => String(entry.data)),
    ).toContainEqual(expect.stringContaining('environment "inside" has a PRIVATE API'));
  });
});

describe('deployment targets', () => {
  it('secures every target, trusting the portal, sweeper and smoke-test roles by name, with a recorder unless one exists', () => {
    const seen: AccountSecurityStageProps[] = [];
    buildPipelineStack({
      environments: [],
      targets: [
        { account: PIPELINE_ACCOUNT, region: 'us-east-1' },
        { account: STAGING_ACCOUNT, region: 'eu-west-1' },
      ],
      existingConfigRecorders: [{ account: STAGING_ACCOUNT, region: 'eu-west-1' }],
      pipelineName: 'bank-delivery',
      createAccountSecurityStage: (scope, id, props) => {
        seen.push(props);
        return createSmallAccountSecurityStage(scope, id, props);
      },
    });
    const role = (name: string) =>
      expect.stringMatching(new RegExp(`:iam::${PIPELINE_ACCOUNT}:role/${name}$`));
    expect(seen.map((props) => [props.env, props.createConfigRecorder])).toEqual([
      [{ account: PIPELINE_ACCOUNT, region: 'us-east-1' }, true],
      [{ account: STAGING_ACCOUNT, region: 'eu-west-1' }, false],
    ]);
    expect(seen[0]?.platformAccess).toEqual({
      pipelineAccount: PIPELINE_ACCOUNT,
      readerRoleArns: [role('bank-delivery-portal'), role('bank-delivery-ttl-sweeper')],
      smokeTestRoleArn: role('bank-delivery-smoke-test'),
    });
  });

  it('refuses to build an environment outside the targets (the environments file skips those)', () => {
    expect(() =>
      buildPipelineStack({
        environments: [environment({ environmentSuffix: 'stray', account: '444444444444' })],
        targets: [{ account: PIPELINE_ACCOUNT, region: 'us-east-1' }],
      }),
    ).toThrow(/environment "stray" deploys to 444444444444\/us-east-1, which is not a deployment target/);
  });
});
