import type { Context } from 'aws-lambda';
import { loadConfig } from './config';
import { createSecretRotationHandler, defaultClients } from './handler';

// Parsed once per cold start: a misconfigured function fails on its first event with every bad variable named.
let instance: ReturnType<typeof createSecretRotationHandler> | undefined;

export async function handler(event: unknown, context: Context) {
  instance ??= createSecretRotationHandler(loadConfig(), defaultClients());
  return instance(event, context);
}
