/**
 * Next calls `register` once when the server starts, before it serves a request: in the Node.js runtime it
 * loads the configuration (in aws mode its secrets from Secrets Manager) or refuses to start
 * (`src/server/startup.ts`), then starts the runtime (stores, platform, reconciler), so environments left in
 * flight by a crash or a restart are driven on at once. A runtime that cannot start (a store that cannot be
 * opened) ends the process, loudly.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    await (await import('./src/server/startup')).loadOrExit();
    const { startRuntimeOrExit } = await import('./src/server/runtime');
    await startRuntimeOrExit();
  }
}
