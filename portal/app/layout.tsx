import type { Metadata } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { AppShell } from '../src/components/shell/AppShell';
// The portal's whole stylesheet, in cascade order: later files adjust earlier ones (the responsive rules
// come after the components they narrow), so the order of these imports is part of the design.
import './styles/tokens.css';
import './styles/shell.css';
import './styles/primitives.css';
import './styles/forms.css';
import './styles/tables.css';
import './styles/progress.css';
import './styles/pipeline.css';
import './styles/responsive.css';
import './styles/views.css';

export const metadata: Metadata = {
  title: { default: 'Secure Environment Portal', template: '%s · Secure Environment Portal' },
  description: 'Request, follow, promote and destroy PCI-DSS-grade AWS environments.',
  robots: { index: false, follow: false },
};

export default async function RootLayout({ children }: { readonly children: ReactNode }) {
  // Reading the request makes every page render per request, so Next stamps the
  // proxy's per-request CSP nonce on its scripts (a prerendered page could not carry it).
  await headers();
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <AppShell>{children}</AppShell>
      </body>
    </html>
  );
}
