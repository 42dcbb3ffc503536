import pino from 'pino';
import { logLevelFromEnv } from './config';

/**
 * Structured logs on stdout. Anything that could hold a credential is redacted
 * at the logger, so a careless call site cannot leak it.
 */
export const logger = pino({
  level: logLevelFromEnv(process.env),
  base: { service: 'sep-portal' },
  redact: {
    paths: [
      'token',
      '*.token',
      'authorization',
      '*.authorization',
      'headers.authorization',
      'headers.cookie',
      'cookie',
      'secret',
      '*.secret',
      'clientSecret',
      '*.clientSecret',
    ],
    censor: '[redacted]',
  },
});
