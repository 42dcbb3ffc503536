/** The session cookie's name (its own module so `proxy.ts` imports nothing heavier). */
export const SESSION_COOKIE = 'sep_session';
