/**
 * Runs once when the Next server starts, before it serves a request: in the Node.js runtime, loads the
 * configuration (in aws mode its secrets from Secrets Manager) or refuses to start (`src/server/startup.ts`).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') await (await import('./src/server/startup')).loadOrExit();
}
