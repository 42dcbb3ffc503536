/**
 * Next calls `register` once when the server starts: the runtime (stores, platform, reconciler) starts
 * then, not on the first request, so environments left in flight by a crash or a restart are driven on
 * at once. A runtime that cannot start (a store that cannot be opened) ends the process, loudly.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startRuntimeOrExit } = await import('./src/server/runtime');
    await startRuntimeOrExit();
  }
}
