import { writeFileSync } from 'node:fs';
import { environment, ephemeralEnvironments, synthesizePipeline } from '../test-support/pipeline-fixture';
import {
  PipelineDefinitionError,
  readPipelineAssemblies,
  readPipelineAssembly,
  synthCommands,
} from './definition';

/** A pipeline with every kind, a cross-account staging and a cross-region prod, synthesized once. */
const synthesized = synthesizePipeline({
  environments: [
    ...ephemeralEnvironments(2),
    environment({
      environmentSuffix: 'staging',
      kind: 'staging',
      account: '222222222222',
      alertEmails: ['o@example.com'],
    }),
    environment({
      environmentSuffix: 'prod',
      kind: 'prod',
      region: 'eu-west-1',
      alertEmails: ['o@example.com'],
    }),
  ],
});
const assembly = synthesized.app.synth();
const definition = readPipelineAssembly(assembly.directory, { pipelineName: 'sep-delivery' });
const release = readPipelineAssembly(assembly.directory, { pipelineName: 'sep-delivery-release' });
const shape = (stages: readonly { name: string; actions: readonly { name: string }[] }[]) =>
  stages.map((stage) => ({ name: stage.name, actions: stage.actions.map((a) => a.name) }));

describe('readPipelineAssembly: the pipelines as synthesized', () => {
  it('has exactly the stages and actions of each AWS::CodePipeline::Pipeline, in order', () => {
    const json = (stages: typeof synthesized.stages) =>
      stages.map((stage) => ({ name: stage.Name, actions: stage.Actions.map((a) => a.Name) }));
    expect(shape(definition.stages)).toEqual(json(synthesized.stages));
    expect(shape(release.stages)).toEqual(json(synthesized.releaseStages));
    expect(definition).toMatchObject({
      pipelineName: 'sep-delivery',
      account: '111111111111',
      region: 'us-east-1',
    });
    expect(
      readPipelineAssemblies(assembly.directory)
        .map((d) => d.pipelineName)
        .sort(),
    ).toEqual(['sep-delivery', 'sep-delivery-release']);
  });

  it('refuses to guess which of several pipelines is meant', () => {
    expect(() => readPipelineAssembly(assembly.directory)).toThrow(
      /holds 2 pipelines .*name the one to read/,
    );
  });

  it('tells what each action does and which environment it belongs to', () => {
    const kinds = Object.fromEntries(
      [
        ...definition.stages,
        ...release.stages.filter((stage) => !['Source', 'Build', 'Assets'].includes(stage.name)),
      ].map((stage) => [stage.name, stage.actions.map((a) => `${a.kind}:${a.environmentSuffix ?? '-'}`)]),
    );
    expect(kinds.Source).toEqual(['source:-']);
    expect(kinds.Build).toEqual(['synth:-']);
    expect(kinds.UpdatePipeline).toEqual(['self-mutate:-']);
    expect(kinds['ephemeral-01']).toEqual([
      'deploy:pr-0001',
      'deploy:pr-0002',
      'smoke:pr-0001',
      'smoke:pr-0002',
    ]);
    expect(kinds.staging).toEqual(['deploy:staging', 'smoke:staging']);
    expect(kinds.prod).toEqual(['approval:-', 'deploy:prod', 'smoke:prod']);
  });

  it("names each deploy action's stack, template in the assembly, account and region", () => {
    const deploys = [...definition.stages, ...release.stages]
      .flatMap((stage) => stage.actions)
      .filter((a) => a.kind === 'deploy' && a.environmentSuffix !== undefined);
    const staging = deploys.find((a) => a.environmentSuffix === 'staging');
    const prod = deploys.find((a) => a.environmentSuffix === 'prod');
    expect(staging?.stack).toMatchObject({
      stackName: 'sep-staging-environment',
      account: '222222222222',
      region: 'us-east-1',
    });
    expect(prod?.stack).toMatchObject({
      stackName: 'sep-prod-environment',
      account: '111111111111',
      region: 'eu-west-1',
    });
    for (const deploy of deploys)
      expect(deploy.stack?.templatePath).toMatch(/^assembly-PipelineStack-[^/]+\/.+\.template\.json$/);
  });

  it('gives each smoke action the stack outputs it reads, by namespace', () => {
    const stage = release.stages.find((s) => s.name === 'staging');
    const deploy = stage?.actions.find((a) => a.kind === 'deploy');
    const smoke = stage?.actions.find((a) => a.kind === 'smoke');
    expect(smoke?.runOrder).toBeGreaterThan(deploy?.runOrder ?? 0);
    expect(smoke?.build?.environmentVariables.map((v) => v.value)).toEqual(
      expect.arrayContaining([`#{${deploy?.namespace}.ApiUrl}`, `#{${deploy?.namespace}.ApiKeyId}`]),
    );
  });

  it("reads the synth step's commands from the synthesized buildspec", () => {
    const synth = synthCommands(definition);
    expect(synth.install).toEqual(['npm ci --no-audit --no-fund']);
    expect(synth.build.some((command) => /cdk synth/.test(command))).toBe(true);
    expect(synth.build.some((command) => /export-registry\.ts/.test(command))).toBe(true);
    expect(synth.baseDirectory).toBe('pipeline/cdk.out');
    expect(synth.variables.map((v) => v.name)).toEqual(
      expect.arrayContaining(['REGISTRY_TABLE_NAME', 'COMPLIANCE_REPORTS_BUCKET']),
    );
  });

  it("reads each pipeline's execution mode and restart-on-update setting", () => {
    expect(definition).toMatchObject({ executionMode: 'SUPERSEDED', restartExecutionOnUpdate: true });
    expect(release).toMatchObject({ executionMode: 'QUEUED', restartExecutionOnUpdate: true });
  });

  it('refuses an assembly without the pipeline stack, saying which', () => {
    const file = `${assembly.directory}/manifest.json`;
    writeFileSync(file, JSON.stringify({ version: '1', artifacts: {} }));
    expect(() => readPipelineAssembly(assembly.directory)).toThrow(PipelineDefinitionError);
    expect(() => readPipelineAssembly(assembly.directory)).toThrow(
      /no environment-specific stack PipelineStack/,
    );
  });
});
