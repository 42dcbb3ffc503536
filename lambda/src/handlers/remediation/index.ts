import type { Context } from 'aws-lambda';
import { loadConfig } from './config';
import { createRemediationHandler, defaultClients } from './handler';

// Parsed once per cold start: a misconfigured function fails on its first event with every bad variable named.
let instance: ReturnType<typeof createRemediationHandler> | undefined;

export async function handler(event: unknown, context: Context) {
  instance ??= createRemediationHandler(loadConfig(), defaultClients());
  return instance(event, context);
}
