const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isMutation(method: string): boolean {
  return MUTATING_METHODS.has(method.toUpperCase());
}

/**
 * CSRF defence for cookie-authenticated mutations: the browser-set `Origin`
 * must be the portal's own (or, where a browser omits it, `Sec-Fetch-Site`
 * must say same-origin). SameSite=Lax cookies are the second layer.
 */
export function isSameOrigin(request: Request, publicOrigin?: string): boolean {
  const expected = publicOrigin ?? expectedOrigin(request);
  const origin = request.headers.get('origin');
  if (origin !== null) return origin === expected;
  return request.headers.get('sec-fetch-site') === 'same-origin';
}

function expectedOrigin(request: Request): string {
  const url = new URL(request.url);
  const host = request.headers.get('host');
  return host === null ? url.origin : `${url.protocol}//${host}`;
}

/**
 * The Host the request was sent to (the `Host` header; the URL's host where a runtime does not expose
 * it), lower-cased, with its port.
 */
export function requestHost(request: Request): string {
  return (request.headers.get('host') ?? new URL(request.url).host).toLowerCase();
}

/**
 * Whether the request was addressed to one of the portal's own hosts (from configuration, never from
 * the request): a page on another name that resolves to the portal (DNS rebinding) is refused.
 */
export function isAllowedHost(request: Request, allowedHosts: readonly string[]): boolean {
  return allowedHosts.includes(requestHost(request));
}

/** `Strict-Transport-Security` for a request served over TLS (directly, or behind a TLS-terminating proxy). */
export function strictTransportSecurity(request: Request): string | undefined {
  const tls =
    new URL(request.url).protocol === 'https:' ||
    request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
  return tls ? 'max-age=63072000; includeSubDomains' : undefined;
}
