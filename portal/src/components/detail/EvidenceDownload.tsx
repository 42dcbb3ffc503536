import { Card } from '../../ui';

export interface EvidenceDownloadProps {
  readonly suffix: string;
}

/**
 * Links to the environment's signed PCI DSS v4.0 evidence bundle (`GET /api/environments/{suffix}/evidence`):
 * the JSON the signature covers, and its HTML rendering for assessors. Plain links: the browser sends the
 * session cookie and saves the file the route names.
 */
export function EvidenceDownload({ suffix }: EvidenceDownloadProps) {
  const base = `/api/environments/${encodeURIComponent(suffix)}/evidence`;
  return (
    <Card
      id="evidence-heading"
      title="PCI DSS v4.0 evidence"
      description="Each requirement with the cdk-nag rules, AWS Config rules and architectural controls that support it in this environment, signed. Verify a download with the command in the portal README."
      testId="evidence"
    >
      <p className="row">
        <a
          className="button button--secondary button--small"
          href={base}
          download={`evidence-${suffix}.json`}
          data-testid="evidence-json"
        >
          Download signed bundle (JSON)
        </a>
        <a
          className="button button--secondary button--small"
          href={`${base}?format=html`}
          target="_blank"
          rel="noopener"
          data-testid="evidence-html"
        >
          Open for assessors (HTML)
        </a>
        <a href="/api/evidence/public-key" target="_blank" rel="noopener">
          Signing public key
        </a>
      </p>
    </Card>
  );
}
