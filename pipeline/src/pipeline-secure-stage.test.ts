import { actionEnvironment } from '@sep/registry/names';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { accountSecurityStageFactory, createSecureEnvironmentStage } from './infra-stages';
import { environment, synthesizePipeline } from './test-support/pipeline-fixture';

// The real SecureEnvironmentStage and AccountSecurityStack from infra/ (cdk-nag off: infra's own
// tests hold the nag bar; here it is the pipeline wiring that is under test).
const environments = [
  environment({ environmentSuffix: 'pr-42' }),
  environment({ environmentSuffix: 'prod', kind: 'prod', alertEmails: ['ops@example.com'] }),
];
const synthesized = synthesizePipeline({
  environments,
  createEnvironmentStage: createSecureEnvironmentStage,
  createAccountSecurityStage: accountSecurityStageFactory(environments.map((e) => e.spec)),
});
const assembly = synthesized.app.synth();

function stackOf(stageId: string): CloudFormationStackArtifact {
  const stack = assembly.getNestedAssembly(`assembly-PipelineStack-${stageId}`).stacks[0];
  if (stack === undefined) throw new Error(`no stack in ${stageId}`);
  return stack;
}

it('deploys the real secure environment stages with their smoke tests, prod protected', () => {
  expect(synthesized.stages.map((stage) => stage.Name)).toEqual([
    'Source',
    'Build',
    'UpdatePipeline',
    'Assets',
    'account-security',
    'pr-42',
  ]);
  expect(synthesized.releaseStages.map((stage) => stage.Name)).toEqual(['Source', 'Build', 'Assets', 'prod']);
  const located = [...synthesized.stages, ...synthesized.releaseStages].flatMap((stage) =>
    stage.Actions.map((action) => actionEnvironment({ stageName: stage.Name, actionName: action.Name })),
  );
  expect(located).toEqual(
    expect.arrayContaining([
      { environmentSuffix: 'pr-42', stageName: 'pr-42', step: 'deploy' },
      { environmentSuffix: 'pr-42', stageName: 'pr-42', step: 'smoke' },
      { environmentSuffix: 'prod', stageName: 'prod', step: 'deploy' },
      { stageName: 'prod', step: 'smoke' },
    ]),
  );
  expect(stackOf('prod').stackName).toBe('sep-prod-environment');
  expect(stackOf('prod').terminationProtection).toBe(true);
  expect(stackOf('pr-42').tags).toMatchObject({ Environment: 'pr-42', EnvironmentKind: 'ephemeral' });
  const security = stackOf('account-security');
  expect(security.stackName).toBe('sep-account-security');
  // The platform's roles in the target, trusted by the pipeline's portal, sweeper and smoke-test roles.
  const roleNames = Object.values(
    security.template.Resources as Record<string, { Type: string; Properties: { RoleName?: string } }>,
  )
    .filter((resource) => resource.Type === 'AWS::IAM::Role')
    .map((resource) => resource.Properties.RoleName);
  expect(roleNames).toEqual(
    expect.arrayContaining(['sep-account-us-east-1-platform', 'sep-account-us-east-1-smoke']),
  );
});

it('smoke-tests with the stage outputs ApiUrl and ApiKeyId', () => {
  const smoke = synthesized.stages
    .find((stage) => stage.Name === 'pr-42')
    ?.Actions.find((a) => a.Name === 'Smoke');
  const variables = JSON.parse(String(smoke?.Configuration?.EnvironmentVariables)) as {
    name: string;
    value: string;
  }[];
  expect(variables.map((v) => v.name).sort()).toEqual(['API_KEY_ID', 'API_URL', 'TARGET_ACCOUNT']);
  const outputs = Object.keys(stackOf('pr-42').template.Outputs ?? {});
  for (const variable of variables.filter((v) => v.name !== 'TARGET_ACCOUNT')) {
    const [, output] = /^#\{[\w-]+\.(\w+)\}$/.exec(variable.value) ?? [];
    expect(outputs).toContain(output);
  }
});
