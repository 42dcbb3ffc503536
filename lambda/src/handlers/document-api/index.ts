import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { loadConfig } from './config';
import { createDocumentApiHandler, defaultClients } from './handler';

// Parsed once per cold start: a misconfigured function fails with every bad variable named.
let instance: ReturnType<typeof createDocumentApiHandler> | undefined;

export async function handler(event: APIGatewayProxyEvent, context: Context) {
  instance ??= createDocumentApiHandler(loadConfig(), defaultClients());
  return instance(event, context);
}
