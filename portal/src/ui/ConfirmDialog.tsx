'use client';

import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { Button } from './Button';

export interface ConfirmDialogProps {
  /** Whether the dialog is shown (modal). */
  readonly open: boolean;
  readonly title: string;
  readonly children?: ReactNode;
  /** Text the user must type to enable the confirm button, e.g. the environment suffix; none: one click. */
  readonly confirmText?: string;
  /** Label of the confirm button. */
  readonly confirmLabel: string;
  /** `danger` for what cannot be undone. @default 'danger' */
  readonly confirmVariant?: 'danger' | 'primary';
  /** True while the confirmed action runs; the buttons are disabled. @default false */
  readonly busy?: boolean;
  /** Error from the confirmed action, shown inside the dialog. */
  readonly error?: string;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
  readonly testId?: string;
}

/**
 * A modal confirmation for irreversible actions, built on the native
 * `<dialog>`: `showModal()` makes the rest of the page inert, traps focus and
 * closes on Escape, and the browser returns focus to the opener on close.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmText,
  confirmLabel,
  confirmVariant = 'danger',
  busy = false,
  error,
  onConfirm,
  onCancel,
  testId,
}: ConfirmDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const [typed, setTyped] = useState('');
  const titleId = useId();
  const inputId = useId();
  const errorId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setTyped('');
      dialog.showModal();
      (inputRef.current ?? dialog.querySelector<HTMLButtonElement>('button[type="submit"]'))?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  const matches = confirmText === undefined || typed === confirmText;

  return (
    <dialog
      ref={dialogRef}
      className="dialog"
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(event) => {
        // Escape: let React state drive closing so `open` stays the single source of truth.
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (matches && !busy) onConfirm();
        }}
      >
        <div className="dialog__body">
          <h2 id={titleId}>{title}</h2>
          {children}
          {confirmText === undefined ? null : (
            <div className="field">
              <label className="field__label" htmlFor={inputId}>
                Type <code>{confirmText}</code> to confirm
              </label>
              <input
                ref={inputRef}
                id={inputId}
                className="input mono"
                autoComplete="off"
                spellCheck={false}
                value={typed}
                onChange={(event) => setTyped(event.target.value)}
                aria-describedby={error ? errorId : undefined}
                data-testid={testId ? `${testId}-input` : undefined}
              />
            </div>
          )}
          {error ? (
            <p className="field__error" id={errorId} role="alert">
              {error}
            </p>
          ) : null}
        </div>
        <div className="dialog__actions">
          <Button onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
          <Button
            type="submit"
            variant={confirmVariant}
            disabled={!matches || busy}
            data-testid={testId ? `${testId}-confirm` : undefined}
          >
            {busy ? 'Working…' : confirmLabel}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
