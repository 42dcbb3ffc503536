import { type NextRequest, NextResponse } from 'next/server';
import { strictTransportSecurity } from './src/server/auth/same-origin';
import { SESSION_COOKIE } from './src/server/auth/session-cookie-name';

/**
 * Runs before every page: a per-request nonce-based Content-Security-Policy
 * (Next stamps the nonce on its own scripts), clickjacking and sniffing
 * headers, and the sign-in redirect for pages without a session cookie.
 * The JSON API is not matched: it serves no script (a static `default-src
 * 'none'` policy from next.config.ts), and its handlers authenticate every call
 * and refuse cross-origin mutations made with the session cookie themselves
 * (`Authenticator.principal`), so no request pays for a second pass here.
 */
export function proxy(request: NextRequest): NextResponse {
  const { pathname } = request.nextUrl;
  if (!request.cookies.has(SESSION_COOKIE) && pathname !== '/sign-in') {
    const target = new URL('/sign-in', request.url);
    if (pathname !== '/') target.searchParams.set('next', `${pathname}${request.nextUrl.search}`);
    return withSecurityHeaders(NextResponse.redirect(target, 303), csp(nonce()), request);
  }

  const value = nonce();
  const policy = csp(value);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', value);
  requestHeaders.set('content-security-policy', policy);
  return withSecurityHeaders(NextResponse.next({ request: { headers: requestHeaders } }), policy, request);
}

function nonce(): string {
  return Buffer.from(crypto.randomUUID()).toString('base64');
}

function csp(value: string): string {
  const dev = process.env.NODE_ENV === 'development';
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${value}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${value}'`,
    // Server-rendered `style` attributes (progress widths, chart geometry) carry no script.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function withSecurityHeaders(response: NextResponse, policy: string, request: NextRequest): NextResponse {
  response.headers.set('Content-Security-Policy', policy);
  // Over TLS (directly or behind the load balancer), browsers are told to never use plain HTTP again.
  const hsts = strictTransportSecurity(request);
  if (hsts !== undefined) response.headers.set('Strict-Transport-Security', hsts);
  response.headers.set('X-Content-Type-Options', 'nosniff');
  response.headers.set('X-Frame-Options', 'DENY');
  response.headers.set('Referrer-Policy', 'same-origin');
  return response;
}

export const config = {
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
