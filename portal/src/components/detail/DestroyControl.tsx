'use client';

import { useState } from 'react';
import { errorMessage, sendJson } from '../../client/api';
import type { EnvironmentDetail } from '../../server/domain/types';
import { environmentDetailSchema } from '../../server/domain/view-schemas';
import { Button, ConfirmDialog } from '../../ui';

export interface DestroyControlProps {
  readonly suffix: string;
  /** Called with the server's answer (status `destroying`). */
  readonly onDestroying: (detail: EnvironmentDetail) => void;
}

/** The destroy button and its type-the-suffix confirmation. Render it only when destroying is allowed. */
export function DestroyControl({ suffix, onDestroying }: DestroyControlProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function destroy() {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const detail = await sendJson({
        schema: environmentDetailSchema,
        method: 'DELETE',
        url: `/api/environments/${encodeURIComponent(suffix)}`,
      });
      setOpen(false);
      onDestroying(detail);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button
        variant="danger"
        onClick={() => {
          setError(undefined);
          setOpen(true);
        }}
        data-testid="destroy-environment"
      >
        Destroy environment
      </Button>
      <ConfirmDialog
        open={open}
        title={`Destroy ${suffix}?`}
        confirmText={suffix}
        confirmLabel="Destroy"
        busy={busy}
        error={error}
        onConfirm={destroy}
        onCancel={() => setOpen(false)}
        testId="destroy-dialog"
      >
        <p>
          The stack and every resource in it are deleted: buckets are emptied, keys scheduled for deletion,
          data is gone. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
