import { EnvironmentViews, reasonFor, summarizeReason } from './environment-views';
import { registryRecord } from './registry-fakes.test-support';
import type { User } from './types';

const alice: User = { id: 'alice', name: 'Alice', roles: ['engineer'] };
const dave: User = { id: 'dave', name: 'Dave', roles: ['admin'] };
const synthOutput = [
  "pipeline (AWS::CodePipeline::Action) failed: the pipeline's first synth failed:     at new TtlSweeper (/data/source/pipeline/src/constructs/ttl-sweeper.ts:64:35)",
  '  at new PipelineStack (/data/source/pipeline/src/pipeline-stack.ts:400:20)',
  '  at buildPipelineApp (/data/source/pipeline/src/app.ts:142:17)',
  'npx tsx bin/app.ts: Subprocess exited with error 1',
].join('\n');

describe('failure reasons shown to users', () => {
  it('are one short line for users, the full output for admins', () => {
    const summary = reasonFor(alice, synthOutput);
    expect(summary).not.toContain('\n');
    expect(summary).not.toContain('pipeline-stack.ts');
    expect(summary).toMatch(
      /^pipeline \(AWS::CodePipeline::Action\) failed: the pipeline's first synth failed/,
    );
    expect(summary).toMatch(/full output is in the server log/);
    expect(reasonFor(dave, synthOutput)).toBe(synthOutput);
    // A short one-line reason is shown as it is.
    expect(summarizeReason('WebAcl (AWS::WAFv2::WebACL) failed: limit exceeded')).toBe(
      'WebAcl (AWS::WAFv2::WebACL) failed: limit exceeded',
    );
  });

  it('apply to the status reason of the list and detail views', () => {
    const views = new EnvironmentViews({ simulated: true });
    const record = { ...registryRecord('pr-1'), status: 'failed' as const, statusReason: synthOutput };
    expect(views.view(alice, record).statusReason).toBe(summarizeReason(synthOutput));
    expect(views.view(dave, record).statusReason).toBe(synthOutput);
  });
});
