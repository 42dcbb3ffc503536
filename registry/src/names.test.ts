import { executionTemplateKey, publishedTemplateKey } from './names';

describe('executionTemplateKey', () => {
  it('puts each execution’s templates under its own ID, apart from the latest synth’s', () => {
    const key = executionTemplateKey('3f2b7c1e-0a4d-4e8b-9c51-7d2e6f10ab34', 'sep-prod-environment');
    expect(key).toBe(
      'nag-reports/by-execution/3f2b7c1e-0a4d-4e8b-9c51-7d2e6f10ab34/sep-prod-environment.json',
    );
    expect(key).not.toBe(publishedTemplateKey('sep-prod-environment'));
  });

  it.each(['', '../templates', 'a/b', '-x', 'id with spaces', 'x'.repeat(129)])(
    'refuses %j, which would name another key',
    (executionId) => {
      expect(() => executionTemplateKey(executionId, 'sep-prod-environment')).toThrow(
        /not a pipeline execution ID/,
      );
    },
  );
});
