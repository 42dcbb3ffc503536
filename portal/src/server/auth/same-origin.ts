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
