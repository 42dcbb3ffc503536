'use client';

import { useEffect, useState } from 'react';
import { Button } from './Button';

export interface CopyButtonProps {
  /** The text put on the clipboard. */
  readonly value: string;
  /** What is copied, for the accessible name: "Copy <label>". */
  readonly label: string;
  readonly testId?: string;
}

/** How long "Copied" stays on the button. */
const CONFIRMATION_MS = 2000;

/** Copies a value and confirms it in words (announced to screen readers). */
export function CopyButton({ value, label, testId }: CopyButtonProps) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), CONFIRMATION_MS);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      // Clipboard access needs a secure context and permission; say so rather than pretend.
      setState('failed');
    }
  }

  return (
    <>
      <Button small variant="ghost" onClick={copy} aria-label={`Copy ${label}`} data-testid={testId}>
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
      </Button>
      <span className="visually-hidden" aria-live="polite">
        {state === 'copied' ? `${label} copied` : state === 'failed' ? `Could not copy ${label}` : ''}
      </span>
    </>
  );
}
