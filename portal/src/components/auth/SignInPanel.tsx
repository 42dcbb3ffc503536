'use client';

import { useState } from 'react';
import { errorMessage, sendJson } from '../../client/api';
import { useDemoUsers, useSession } from '../../client/hooks';
import { sessionSchema } from '../../server/domain/view-schemas';
import { Alert, Badge, Card, Skeleton } from '../../ui';

export interface SignInPanelProps {
  /** A path on this portal to open after signing in. */
  readonly next: string;
}

/**
 * Local mode: pick one of the demo users (two engineers, an approver, an
 * admin). aws mode: the company's OIDC identity provider.
 */
export function SignInPanel({ next }: SignInPanelProps) {
  const demoUsers = useDemoUsers();
  const session = useSession();
  const [pending, setPending] = useState<string>();
  const [error, setError] = useState<string>();

  async function signIn(username: string) {
    if (pending) return;
    setPending(username);
    setError(undefined);
    try {
      await sendJson({ schema: sessionSchema, method: 'POST', url: '/api/auth/sign-in', body: { username } });
      // A full navigation: every page starts with the new user's answers, nothing cached from before.
      window.location.assign(next);
    } catch (caught) {
      setError(errorMessage(caught));
      setPending(undefined);
    }
  }

  const awsMode = demoUsers.error?.status === 404;

  return (
    <div className="signin">
      <h1>Sign in</h1>
      <p className="muted">
        Request isolated, PCI-DSS-grade AWS environments, follow their deployment, promote releases and read
        the audit trail.
      </p>
      {session.data ? (
        <Alert tone="info" title={`You are signed in as ${session.data.user.name}.`}>
          <p>
            <a href={next}>Continue to the portal</a> or choose another user below.
          </p>
        </Alert>
      ) : null}
      {error ? (
        <Alert tone="danger" role="alert" title="Sign-in failed" testId="sign-in-error">
          <p>{error}</p>
        </Alert>
      ) : null}
      {awsMode ? (
        <Card id="sign-in-sso" title="Company single sign-on">
          <p>Your role (engineer, approver or admin) comes from your directory groups.</p>
          <a className="button button--primary" href="/api/auth/oidc/login" data-testid="oidc-sign-in">
            Sign in with single sign-on
          </a>
        </Card>
      ) : demoUsers.data ? (
        <Card
          id="sign-in-demo"
          title="Choose a demo user"
          description="Local mode has built-in users so the portal works without an identity provider."
        >
          <ul className="user-choices">
            {demoUsers.data.map((user) => (
              <li key={user.id}>
                <button
                  type="button"
                  className="user-choice"
                  onClick={() => signIn(user.id)}
                  disabled={pending !== undefined}
                  data-testid={`sign-in-as-${user.id}`}
                >
                  <span>
                    <strong>
                      {pending === user.id ? `Signing in as ${user.name}…` : `Sign in as ${user.name}`}
                    </strong>
                    <span className="muted small">{user.description}</span>
                  </span>
                  <span className="row">
                    {user.roles.map((role) => (
                      <Badge
                        key={role}
                        tone={role === 'admin' ? 'warning' : role === 'approver' ? 'info' : 'neutral'}
                      >
                        {role}
                      </Badge>
                    ))}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <p className="small muted signin__footnote">
            Scripts: <code>POST /api/auth/token</code> with <code>{'{"username":"alice"}'}</code> returns a
            bearer token (see the API documentation at <code>/api/openapi.json</code>).
          </p>
        </Card>
      ) : demoUsers.error ? (
        <Alert tone="danger" role="alert" title="The portal could not list its users">
          <p>{errorMessage(demoUsers.error)}</p>
        </Alert>
      ) : (
        <Skeleton label="Loading sign-in options" />
      )}
    </div>
  );
}
