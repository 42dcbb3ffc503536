'use client';

import { Fragment } from 'react';
import { breakableParts, orderOutputs, outputLabel } from '../../client/outputs';
import type { StackOutput } from '../../server/domain/types';
import { Alert, Card, CopyButton } from '../../ui';

export interface OutputsCardProps {
  readonly suffix: string;
  readonly outputs: readonly StackOutput[];
  /** Why the outputs need care (aws mode: an update rolled back, these are the previous version's). */
  readonly warning?: string;
  readonly simulated: boolean;
}

/**
 * A value that may wrap only after its separators (`/`, `:`, `.`, …): an ARN or URL
 * breaks between its parts, never one character per line.
 */
function OutputValue({ value, testId }: { readonly value: string; readonly testId: string }) {
  return (
    <code data-testid={testId}>
      {breakableParts(value).map((part, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string, in order.
        <Fragment key={index}>
          {index > 0 ? <wbr /> : null}
          {part}
        </Fragment>
      ))}
    </code>
  );
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
        <dl className="outputs">
          {ordered.map((output) => (
            <div key={output.key} className="output" data-testid={`output-${output.key}`}>
              <dt className="output__label">
                {outputLabel(output.key)}
                {output.description ? (
                  <span className="output__description">{output.description}</span>
                ) : null}
              </dt>
              <dd className="output__value">
                <OutputValue value={output.value} testId={`output-value-${output.key}`} />
                <CopyButton
                  value={output.value}
                  label={outputLabel(output.key)}
                  testId={`copy-output-${output.key}`}
                />
              </dd>
            </div>
          ))}
        </dl>
      )}
    </Card>
  );
}
