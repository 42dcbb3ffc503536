import { buildEvidenceBundle } from './bundle';
import { renderEvidenceHtml } from './html';

// The assessor's page shows the identity the platform read, the deployed stacks, and each identity gap
// with its reason (escaped: reasons quote upstream error messages).

const bundle = buildEvidenceBundle({
  detail: {
    environmentSuffix: 'staging',
    kind: 'staging',
    status: 'ready',
    region: 'us-east-1',
    stackName: 'sep-staging-environment',
    spec: {
      environmentSuffix: 'staging',
      kind: 'staging',
      owner: 'o',
      project: 'p',
      costCenter: 'c',
      region: 'us-east-1',
    } as never,
  },
  compliance: {
    environmentSuffix: 'staging',
    static: {
      available: false,
      unavailableReason: 'not synthesized',
      packs: [],
      totals: { rulesChecked: 0, passed: 0, suppressed: 0, errors: 0 },
    },
    runtime: { available: false, rules: [] },
  },
  mode: 'aws',
  generatedAt: new Date('2026-12-05T08:00:00Z'),
  provenance: {
    stacks: [
      {
        stackName: 'sep-staging-environment',
        templateSha256: 'ab'.repeat(32),
        lastDeployedAt: '2026-12-05T07:00:00.000Z',
        resourceTypes: {},
      },
    ],
    pipelineName: 'sep-delivery-release',
    pipelineExecutionId: 'exec-1',
    gaps: [{ field: 'sourceRevision', reason: 'GetPipelineExecution failed (AccessDenied: <no>)' }],
  },
});

it('renders the read identity, the deployed stacks and the gaps with their reasons', () => {
  const html = renderEvidenceHtml({
    bundle,
    signature: { algorithm: 'ECDSA_SHA_256', keyId: 'k', value: 'sig', signedAt: 'x' } as never,
  });
  expect(html).toContain('exec-1 of sep-delivery-release');
  expect(html).toContain(`<code>${'ab'.repeat(32)}</code>`);
  expect(html).toContain('2026-12-05T07:00:00.000Z');
  expect(html).toContain('<dt>Source revision</dt><dd>not known (see identity gaps)</dd>');
  expect(html).toContain(
    '<li><code>sourceRevision</code>: GetPipelineExecution failed (AccessDenied: &lt;no&gt;)</li>',
  );
  expect(html).not.toContain('<no>');
});
