'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useEffect, useState } from 'react';
import { errorMessage, sendJson } from '../../client/api';
import { useDemoUsers, useSession } from '../../client/hooks';
import type { Session } from '../../server/domain/types';
import { Badge, Button } from '../../ui';

export interface AppShellProps {
  readonly children: ReactNode;
}

/** Pages anyone may see without a session. */
const PUBLIC_PATHS = ['/sign-in'];

interface NavItem {
  readonly href: string;
  readonly label: string;
  readonly show: (session: Session) => boolean;
}

const NAV_ITEMS: readonly NavItem[] = [
  { href: '/', label: 'Environments', show: () => true },
  { href: '/environments/new', label: 'Request environment', show: (s) => s.can.requestEnvironment },
  { href: '/pipeline', label: 'Pipeline', show: () => true },
  { href: '/audit', label: 'Audit log', show: (s) => s.can.readAudit },
  { href: '/api-reference', label: 'API reference', show: () => true },
];

function isCurrent(pathname: string, href: string): boolean {
  if (href === '/')
    return pathname === '/' || (pathname.startsWith('/environments/') && pathname !== '/environments/new');
  return pathname === href || pathname.startsWith(`${href}/`);
}

/**
 * The frame of every page: the local-mode banner, the header with navigation
 * and the signed-in user, and the main landmark. Sends a visitor without a
 * session to the sign-in page.
 */
export function AppShell({ children }: AppShellProps) {
  const pathname = usePathname();
  const router = useRouter();
  const isPublic = PUBLIC_PATHS.includes(pathname);
  const session = useSession();
  const demoUsers = useDemoUsers();
  const signedIn = session.data;
  const unauthenticated = session.error?.status === 401;
  // Narrow screens: the navigation and the user menu fold behind one button, closed again on navigation.
  const [menuOpen, setMenuOpen] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: closing is the effect of a new pathname.
  useEffect(() => setMenuOpen(false), [pathname]);

  useEffect(() => {
    if (unauthenticated && !isPublic) router.replace(`/sign-in?next=${encodeURIComponent(pathname)}`);
  }, [unauthenticated, isPublic, pathname, router]);

  // The mode is in the session; before sign-in, the demo users exist only in local mode.
  const localMode = signedIn ? signedIn.mode === 'local' : demoUsers.data !== undefined;

  return (
    <>
      <header className="site-header-wrap">
        {localMode ? (
          <p className="mode-banner" data-testid="local-mode-banner">
            <strong>Local mode — deployments are simulated.</strong> Templates and cdk-nag results are real;
            stacks, events and outputs are played on this machine, not in AWS.
          </p>
        ) : null}
        <div className="site-header">
          <div className="site-header__inner">
            <Link href="/" className="site-header__brand">
              <span className="site-header__logo" aria-hidden="true">
                SE
              </span>
              Secure Environment Portal
            </Link>
            {signedIn ? (
              <>
                <button
                  type="button"
                  className="button button--ghost button--small nav-toggle"
                  aria-expanded={menuOpen}
                  aria-controls="site-menu"
                  onClick={() => setMenuOpen((open) => !open)}
                  data-testid="nav-toggle"
                >
                  {menuOpen ? 'Close menu' : 'Menu'}
                </button>
                <div id="site-menu" className="site-header__menu" data-open={menuOpen}>
                  <nav className="site-nav" aria-label="Main">
                    <ul>
                      {NAV_ITEMS.filter((item) => item.show(signedIn)).map((item) => (
                        <li key={item.href}>
                          <Link
                            href={item.href}
                            aria-current={isCurrent(pathname, item.href) ? 'page' : undefined}
                          >
                            {item.label}
                          </Link>
                        </li>
                      ))}
                    </ul>
                  </nav>
                  <UserMenu session={signedIn} />
                </div>
              </>
            ) : null}
          </div>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        {isPublic || signedIn ? (
          children
        ) : session.error && !unauthenticated ? (
          <div className="alert alert--danger" role="alert">
            <p className="alert__title">The portal could not load your session</p>
            <p>{errorMessage(session.error)}</p>
          </div>
        ) : (
          <p role="status" className="muted">
            Checking your session…
          </p>
        )}
      </main>
      <footer className="site-footer">
        Secure Environment Portal — environments built to PCI-DSS and SOC 2 controls. Times are shown in UTC.
      </footer>
    </>
  );
}

function UserMenu({ session }: { readonly session: Session }) {
  const [signingOut, setSigningOut] = useState(false);
  const [error, setError] = useState<string>();

  async function signOut() {
    setSigningOut(true);
    try {
      await sendJson({ method: 'POST', url: '/api/auth/sign-out' });
      // A full navigation drops every cached answer of the previous user.
      window.location.assign('/sign-in');
    } catch (caught) {
      setError(errorMessage(caught));
      setSigningOut(false);
    }
  }

  return (
    <div className="site-header__user" data-testid="current-user">
      <span>
        <span className="visually-hidden">Signed in as </span>
        <strong data-testid="current-user-name">{session.user.name}</strong>
      </span>
      {session.user.roles.map((role) => (
        <Badge key={role} testId="current-user-role">
          {role}
        </Badge>
      ))}
      <Button small variant="ghost" onClick={signOut} disabled={signingOut}>
        {signingOut ? 'Signing out…' : 'Sign out'}
      </Button>
      {error ? (
        <span role="alert" className="small">
          {error}
        </span>
      ) : null}
    </div>
  );
}
