import { actionsPerEnvironment, CODEPIPELINE_QUOTAS, planWaves, QuotaExceededError } from './quotas';

const items = (count: number, actions = 2) =>
  Array.from({ length: count }, (_, index) => ({ id: `env-${index}`, actions }));

describe('planWaves', () => {
  it('counts 1 action per stack (2 with change sets) plus the post steps', () => {
    expect(actionsPerEnvironment({ stacks: 1, postSteps: 1, useChangeSets: false })).toBe(2);
    expect(actionsPerEnvironment({ stacks: 3, postSteps: 1, useChangeSets: false })).toBe(4);
    expect(actionsPerEnvironment({ stacks: 1, postSteps: 1, useChangeSets: true })).toBe(3);
    expect(actionsPerEnvironment({ stacks: 3, postSteps: 1, useChangeSets: true })).toBe(7);
  });

  it('puts 25 two-action environments in a wave (50 of 50 actions)', () => {
    const waves = planWaves({ items: items(500), fixedStages: 7 });
    expect(waves).toHaveLength(20);
    for (const wave of waves) expect(wave).toHaveLength(25);
    for (const wave of waves) {
      expect(wave.reduce((sum, item) => sum + item.actions, 0)).toBeLessThanOrEqual(
        CODEPIPELINE_QUOTAS.maxActionsPerStage,
      );
    }
    // Order is kept: older environments stay in the same wave when new ones arrive.
    expect(waves.flat().map((item) => item.id)).toEqual(items(500).map((item) => item.id));
  });

  it('packs environments of different sizes without crossing the action limit', () => {
    const mixed = [...items(5, 7), ...items(5, 2)].map((item, index) => ({ ...item, id: `m-${index}` }));
    const waves = planWaves({ items: mixed, fixedStages: 7 });
    for (const wave of waves)
      expect(wave.reduce((sum, item) => sum + item.actions, 0)).toBeLessThanOrEqual(50);
    expect(waves.flat()).toHaveLength(10);
  });

  it('handles no environments', () => {
    expect(planWaves({ items: [], fixedStages: 7 })).toEqual([]);
  });

  it('fits exactly the capacity and fails one past it, naming the stage limit', () => {
    // 45 waves of 25 after the environments pipeline's 5 fixed stages (Source, Build, UpdatePipeline,
    // Assets, account-security; staging and prod are in the release pipeline).
    expect(planWaves({ items: items(1125), fixedStages: 5 })).toHaveLength(45);
    expect(() => planWaves({ items: items(1126), fixedStages: 5 })).toThrow(QuotaExceededError);
    expect(() => planWaves({ items: items(1126), fixedStages: 5 })).toThrow(
      /limit of 50 stages per pipeline\. This pipeline holds at most 1125 such environments/,
    );
  });

  it('fails for an environment bigger than a stage, naming the action limit', () => {
    expect(() => planWaves({ items: items(1, 51), fixedStages: 7 })).toThrow(
      /needs 51 actions, more than CodePipeline's limit of 50 actions per stage/,
    );
  });
});
