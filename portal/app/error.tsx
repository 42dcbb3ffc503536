'use client';

import { Alert, Button } from '../src/ui';

interface ErrorPageProps {
  readonly error: Error & { digest?: string };
  readonly reset: () => void;
}

/** Shown when a page throws while rendering; the digest ties the report to the server log, never the stack. */
export default function ErrorPage({ error, reset }: ErrorPageProps) {
  return (
    <>
      <h1>Something went wrong</h1>
      <Alert tone="danger" role="alert" title="This page could not be shown">
        <p>
          The error was logged{error.digest ? ` with reference ${error.digest}` : ''}. Try again, or go back
          to the environment list.
        </p>
      </Alert>
      <Button variant="primary" onClick={reset}>
        Try again
      </Button>
    </>
  );
}
