import type { Context } from 'aws-lambda';
import { loadConfig } from './config';
import { createPiiScannerHandler, defaultClients } from './handler';

// Parsed once per cold start: a misconfigured function fails on its first event with every bad variable named.
let instance: ReturnType<typeof createPiiScannerHandler> | undefined;

export async function handler(event: unknown, context: Context) {
  instance ??= createPiiScannerHandler(loadConfig(), defaultClients());
  return instance(event, context);
}
