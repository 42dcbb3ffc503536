import { ConfigError, portalConfig } from './config';

/**
 * The server's first step (from `instrumentation.ts`): the configuration loads, secrets included, or
 * the process exits naming what is missing or unreadable, before it accepts a connection.
 */
export async function loadOrExit(): Promise<void> {
  try {
    await portalConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`portal: ${error.message}`);
    process.exit(2);
  }
}
