import { CLOUDFORMATION_QUOTAS, CODEPIPELINE_QUOTAS, QuotaExceededError } from '@sep/registry/quotas';
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
  const { stages, releaseStages, template, stack } = synthesized;
  expect(stages.length).toBeLessThanOrEqual(CODEPIPELINE_QUOTAS.maxStagesPerPipeline);
  expect(releaseStages.length).toBeLessThanOrEqual(CODEPIPELINE_QUOTAS.maxStagesPerPipeline);
  for (const stage of [...stages, ...releaseStages]) {
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
  return [...synthesized.stages, ...synthesized.releaseStages]
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

  it("keeps the pipeline template under CloudFormation's 1 MB", () => {
    const bytes = templateBytes(synthesized);
    expect(bytes).toBeLessThanOrEqual(CLOUDFORMATION_QUOTAS.maxTemplateBytes);
    expect(() =>
      assertTemplateSizes({ assembly: synthesized.app.synth(), environments: count + 2 }),
    ).not.toThrow();
  });

  it('deploys every environment exactly once, in waves of at most 25', () => {
    const suffixes = deployedSuffixes(synthesized);
    expect(suffixes).toHaveLength(count + 2);
    expect(new Set(suffixes).size).toBe(count + 2);
    const waves = synthesized.stages.filter(
      (stage) => stage.Name.startsWith('ephemeral-') || /^pr-\d+$/.test(stage.Name),
    );
    expect(waves).toHaveLength(Math.ceil(count / 25));
    expect(synthesized.stack.ephemeralWaves.map((wave) => wave.length)).toEqual(
      Array.from({ length: Math.ceil(count / 25) }, (_, index) => Math.min(25, count - index * 25)),
    );
    // staging and prod are the release pipeline's, in that order.
    expect(synthesized.releaseStages.slice(-2).map((stage) => stage.Name)).toEqual(['staging', 'prod']);
  });
});

it('fails the synth, naming the stage limit, when the environments cannot fit', () => {
  // With 12 stages allowed, the environments pipeline's 5 other stages (Source, Build, UpdatePipeline,
  // Assets, account-security) leave 7 waves of 25: 175 environments fit, 176 do not. (The real quota,
  // 50 stages, holds 1,125: planWaves' tests; 1,126 stages would only slow this suite.)
  const quotas = { ...CODEPIPELINE_QUOTAS, maxStagesPerPipeline: 12 };
  expect(
    synthesizePipeline({ environments: [...ephemeralEnvironments(175), ...persistent], quotas }).stages,
  ).toHaveLength(12);
  const attempt = () =>
    synthesizePipeline({ environments: [...ephemeralEnvironments(176), ...persistent], quotas });
  expect(attempt).toThrow(QuotaExceededError);
  expect(attempt).toThrow(/CodePipeline's limit of 12 stages per pipeline\. This pipeline holds at most 175/);
});

it('fails the synth with the figure when the pipeline template passes the size limit', () => {
  const { app } = synthesizePipeline({ environments: [...ephemeralEnvironments(50), ...persistent] });
  expect(() => assertTemplateSizes({ assembly: app.synth(), environments: 52, maxBytes: 50_000 })).toThrow(
    /PipelineStack is \d+ bytes with 52 environments \(about \d+ bytes each, so roughly \d+ fit\)/,
  );
});
