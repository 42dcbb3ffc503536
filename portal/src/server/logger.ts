import pino from 'pino';

/**
 * Structured logs on stdout. Anything that could hold a credential is redacted
 * at the logger, so a careless call site cannot leak it.
 */
export const logger = pino({
  level: process.env.PORTAL_LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
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
