'use client';

import { useState } from 'react';
import { errorMessage, sendJson } from '../../client/api';
import type { EnvironmentDetail } from '../../server/domain/types';
import { environmentDetailSchema } from '../../server/domain/view-schemas';
import { Button } from '../../ui';

export interface RetryControlProps {
  readonly suffix: string;
  /** Called with the server's answer once the platform took the retry. */
  readonly onRetrying: (detail: EnvironmentDetail) => void;
}

/** Deploys a failed environment again (audited). Render it only when the user may retry. */
export function RetryControl({ suffix, onRetrying }: RetryControlProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function retry() {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      onRetrying(
        await sendJson({
          schema: environmentDetailSchema,
          method: 'POST',
          url: `/api/environments/${encodeURIComponent(suffix)}/retry`,
        }),
      );
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      <Button variant="primary" onClick={retry} disabled={busy} data-testid="retry-deployment">
        {busy ? 'Starting again…' : 'Retry deployment'}
      </Button>
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
