import type { EvidenceBundle } from './bundle';
import type { SignedEvidence } from './evidence-service';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (value: unknown) => String(value).replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);

function nagCell(requirement: EvidenceBundle['requirements'][number]): string {
  return requirement.nagRules
    .map((check) => {
      const details = [
        ...check.findings.map(
          (finding) => `finding on ${finding.resource}${finding.message ? `: ${finding.message}` : ''}`,
        ),
        ...check.suppressions.map(
          (suppression) => `suppressed on ${suppression.resource}: ${suppression.reason}`,
        ),
      ];
      return `<li class="${escapeHtml(check.result)}"><code>${escapeHtml(check.ruleId)}</code> ${escapeHtml(check.result)}${
        details.length > 0
          ? `<ul>${details.map((detail) => `<li>${escapeHtml(detail)}</li>`).join('')}</ul>`
          : ''
      }</li>`;
    })
    .join('');
}

function row(requirement: EvidenceBundle['requirements'][number]): string {
  if (requirement.outOfScope !== undefined) {
    return `<tr class="out-of-scope"><th scope="row">${escapeHtml(requirement.id)}</th><td>${escapeHtml(requirement.title)}</td><td>out of scope of the platform</td><td colspan="3">${escapeHtml(requirement.outOfScope)}</td></tr>`;
  }
  const config = requirement.configRules
    .map(
      (check) =>
        `<li><code>${escapeHtml(check.ruleName)}</code> ${check.deployed ? escapeHtml(check.result) : 'not deployed for this spec'}</li>`,
    )
    .join('');
  const controls = requirement.controls
    .map(
      (check) =>
        `<li class="${escapeHtml(check.status)}">${escapeHtml(check.title)}: ${escapeHtml(check.status)} (${escapeHtml(check.evidence)})</li>`,
    )
    .join('');
  return `<tr class="${escapeHtml(requirement.status)}"><th scope="row">${escapeHtml(requirement.id)}</th><td>${escapeHtml(requirement.title)}</td><td>${escapeHtml(requirement.status)}</td><td><ul>${nagCell(requirement)}</ul></td><td><ul>${config}</ul></td><td><ul>${controls}</ul></td></tr>`;
}

/** The bundle as a self-contained page an assessor can read or print; the JSON stays the signed record. */
export function renderEvidenceHtml({ bundle, signature }: SignedEvidence): string {
  const env = bundle.environment;
  const identity: [string, string | undefined][] = [
    ['Environment', env.suffix],
    ['Kind', env.kind],
    ['Status', env.status],
    ['Account', env.account ?? 'default account of the pipeline'],
    ['Region', env.region],
    ['Stack', env.stackName],
    ['Portal mode', env.mode],
    ['Source revision', env.sourceRevision ?? 'not known (see identity gaps)'],
    [
      'Pipeline execution',
      env.pipelineExecutionId === undefined
        ? 'not known (see identity gaps)'
        : `${env.pipelineExecutionId}${env.pipelineName === undefined ? '' : ` of ${env.pipelineName}`}`,
    ],
    ['CloudTrail trail', env.cloudTrailTrailArn ?? 'not known (see identity gaps)'],
    [
      'cdk-nag report',
      bundle.sources.nagReport.available
        ? `generated ${bundle.sources.nagReport.generatedAt ?? ''}`
        : `not available: ${bundle.sources.nagReport.unavailableReason ?? ''}`,
    ],
    [
      'AWS Config results',
      bundle.sources.configRules.live
        ? 'live'
        : `not available: ${bundle.sources.configRules.unavailableReason ?? ''}`,
    ],
    ['Config rule mapping', bundle.sources.configRules.mappingSource],
    ['Generated', bundle.generatedAt],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PCI DSS v4.0 evidence: ${escapeHtml(env.suffix)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4rem;vertical-align:top;text-align:left}tr.failing{background:#fde8e8}tr.out-of-scope{color:#555;background:#f5f5f5}li.error,li.not-in-place{color:#b00020;font-weight:600}ul{margin:0;padding-left:1.2rem}code{font-size:12px}</style>
</head><body>
<h1>PCI DSS v4.0 evidence: ${escapeHtml(env.suffix)}</h1>
<dl>${identity.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value ?? '')}</dd>`).join('')}</dl>
<h2>Deployed stacks</h2>
${
  env.stacks.length === 0
    ? '<p>No deployed stack was read (see identity gaps).</p>'
    : `<table><thead><tr><th>Stack</th><th>Template SHA-256</th><th>Last deployed</th></tr></thead><tbody>${env.stacks
        .map(
          (stack) =>
            `<tr><td><code>${escapeHtml(stack.stackName)}</code></td><td><code>${escapeHtml(stack.templateSha256 ?? 'not known')}</code></td><td>${escapeHtml(stack.lastDeployedAt ?? 'not known')}</td></tr>`,
        )
        .join('')}</tbody></table>`
}
<h2>Identity gaps</h2>
${
  env.identityGaps.length === 0
    ? '<p>None: every identity field above was read from the platform.</p>'
    : `<ul class="gaps">${env.identityGaps
        .map((gap) => `<li><code>${escapeHtml(gap.field)}</code>: ${escapeHtml(gap.reason)}</li>`)
        .join('')}</ul>`
}
<h2>Requirements</h2>
<p>Summary: ${bundle.summary.supported} supported, ${bundle.summary.failing} failing, ${bundle.summary.partial} partial, ${bundle.summary.outOfScope} out of scope of the platform.</p>
<table border="1" cellpadding="4"><thead><tr><th>Requirement</th><th>Title</th><th>Status</th><th>cdk-nag rules</th><th>AWS Config rules</th><th>Architectural controls</th></tr></thead>
<tbody>${bundle.requirements.map(row).join('\n')}</tbody></table>
<h2>Signature</h2>
<p>${escapeHtml(signature.algorithm)} by <code>${escapeHtml(signature.keyId)}</code> over the canonical JSON of the bundle (download the JSON and run the verify command of the portal README):</p>
<pre>${escapeHtml(signature.value)}</pre>
</body></html>
`;
}
