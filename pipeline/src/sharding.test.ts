import { CLOUDFORMATION_QUOTAS, CODEPIPELINE_QUOTAS, QuotaExceededError } from './quotas';
import { assertTemplateSizes, templateSizes } from './template-size';
import {
  environment,
  ephemeralEnvironments,
  type SynthesizedPipeline,
  synthesizePipeline,
} from './test-support/pipeline-fixture';

// Synthesized with the small test stages (one stack each, like the real stage): the quotas depend on
// stacks per stage, and 500 full secure environments would take minutes per test run.
const persistent = [
  environment({ environmentSuffix: 'staging', kind: 'staging', alertEmails: ['ops@example.com'] }),
  environment({ environmentSuffix: 'prod', kind: 'prod', alertEmails: ['ops@example.com'] }),
];

function assertWithinQuotas(synthesized: SynthesizedPipeline) {
  const { stages, template, stack } = synthesized;
  expect(stages.length).toBeLessThanOrEqual(CODEPIPELINE_QUOTAS.maxStagesPerPipeline);
  for (const stage of stages) {
    expect([stage.Name, stage.Actions.length <= CODEPIPELINE_QUOTAS.maxActionsPerStage]).toEqual([
      stage.Name,
      true,
    ]);
  }
  const resources = Object.keys(template.toJSON().Resources).length;
  expect(resources).toBeLessThanOrEqual(CLOUDFORMATION_QUOTAS.maxResourcesPerStack);
  expect(stack.stackName).toBe('PipelineStack');
}

/** The pipeline stack's template as written (what the CLI uploads through S3). */
function templateBytes(synthesized: SynthesizedPipeline): number {
  const size = templateSizes(synthesized.app.synth()).find((s) => s.stackName === 'PipelineStack');
  return size?.bytes ?? Number.NaN;
}

function deployedSuffixes(synthesized: SynthesizedPipeline): string[] {
  return synthesized.stages
    .flatMap((stage) => stage.Actions)
    .map((action) => /(?:^|\.)sep-([a-z0-9-]+)-environment\.Deploy$/.exec(action.Name)?.[1])
    .filter((suffix): suffix is string => suffix !== undefined);
}

describe.each([1, 50, 500])('%i ephemeral environments', (count) => {
  let synthesized: SynthesizedPipeline;
  beforeAll(() => {
    synthesized = synthesizePipeline({ environments: [...ephemeralEnvironments(count), ...persistent] });
  });

  it('stays within the CodePipeline quotas and the 500-resource stack limit', () => {
    assertWithinQuotas(synthesized);
  });

  it(
    count <= 50
      ? "keeps the pipeline template under CloudFormation's 1 MB"
      : "passes CloudFormation's 1 MB template limit, and the synth says so (the real bound of one pipeline)",
    () => {
      const bytes = templateBytes(synthesized);
      const assembly = synthesized.app.synth();
      if (count <= 50) {
        expect(bytes).toBeLessThanOrEqual(CLOUDFORMATION_QUOTAS.maxTemplateBytes);
        expect(() => assertTemplateSizes({ assembly, environments: count + 2 })).not.toThrow();
      } else {
        expect(bytes).toBeGreaterThan(CLOUDFORMATION_QUOTAS.maxTemplateBytes);
        expect(() => assertTemplateSizes({ assembly, environments: count + 2 })).toThrow(
          /PipelineStack is \d+ bytes with 502 environments \(about \d+ bytes each, so roughly \d+ fit\)/,
        );
      }
    },
  );

  it('deploys every environment exactly once, in waves of at most 16', () => {
    const suffixes = deployedSuffixes(synthesized);
    expect(suffixes).toHaveLength(count + 2);
    expect(new Set(suffixes).size).toBe(count + 2);
    const waves = synthesized.stages.filter(
      (stage) => stage.Name.startsWith('ephemeral-') || /^pr-\d+$/.test(stage.Name),
    );
    expect(waves).toHaveLength(Math.ceil(count / 16));
    expect(synthesized.stack.ephemeralWaves.map((wave) => wave.length)).toEqual(
      Array.from({ length: Math.ceil(count / 16) }, (_, index) => Math.min(16, count - index * 16)),
    );
    // staging and prod still come last, in that order.
    expect(synthesized.stages.slice(-2).map((stage) => stage.Name)).toEqual(['staging', 'prod']);
  });
});

it('fails the synth, naming the stage limit, when the environments cannot fit', () => {
  // 7 other stages leave 43 waves of 16: 688 environments fit, 689 do not.
  const attempt = () => synthesizePipeline({ environments: [...ephemeralEnvironments(689), ...persistent] });
  expect(attempt).toThrow(QuotaExceededError);
  expect(attempt).toThrow(/CodePipeline's limit of 50 stages per pipeline/);
});
