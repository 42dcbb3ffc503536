/**
 * Where to go after sign-in: only a path on this portal. Anything else
 * (absolute URLs, protocol-relative `//host`, backslash tricks) falls back to
 * the home page, so the sign-in page cannot be used as an open redirect.
 */
export function safeNextPath(next: string | string[] | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value?.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  if (value.startsWith('/sign-in')) return '/';
  return value;
}
