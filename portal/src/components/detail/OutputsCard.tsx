'use client';

import { orderOutputs, outputLabel } from '../../client/outputs';
import type { StackOutput } from '../../server/domain/types';
import { Alert, Card, CopyButton } from '../../ui';

export interface OutputsCardProps {
  readonly suffix: string;
  readonly outputs: readonly StackOutput[];
  /** Why the outputs need care (aws mode: an update rolled back, these are the previous version's). */
  readonly warning?: string;
  readonly simulated: boolean;
}

/** The stack outputs with copy buttons and the flat-outputs.json download. Never holds secret values. */
export function OutputsCard({ suffix, outputs, warning, simulated }: OutputsCardProps) {
  const ordered = orderOutputs(outputs);
  return (
    <Card
      id="outputs-heading"
      title="Outputs"
      description={
        simulated
          ? 'Local mode: shaped like AWS outputs, not real resources. The API key value is never shown — only its ID.'
          : 'The API key value is never shown — only its ID; read the value from Secrets Manager.'
      }
      actions={
        outputs.length > 0 ? (
          <a
            className="button button--secondary button--small"
            href={`/api/environments/${encodeURIComponent(suffix)}/outputs`}
            download="flat-outputs.json"
            data-testid="download-outputs"
          >
            Download flat-outputs.json
          </a>
        ) : null
      }
      testId="outputs"
    >
      {warning === undefined ? null : (
        <Alert tone="warning" testId="outputs-warning">
          {warning}
        </Alert>
      )}
      {ordered.length === 0 ? (
        <p className="muted">Outputs appear once the stack is deployed.</p>
      ) : (
        <dl className="kv">
          {ordered.map((output) => (
            <div key={output.key} className="kv__row" data-testid={`output-${output.key}`}>
              <dt>
                {outputLabel(output.key)}
                {output.description ? <div className="small muted">{output.description}</div> : null}
              </dt>
              <dd className="output-value">
                <code data-testid={`output-value-${output.key}`}>{output.value}</code>
                <CopyButton value={output.value} label={outputLabel(output.key)} />
              </dd>
            </div>
          ))}
        </dl>
      )}
    </Card>
  );
}
