/**
 * One-line JSON logs for CloudWatch (queryable with Logs Insights), written by Powertools for AWS Lambda's
 * Logger (service name, cold start, X-Ray trace id, `POWERTOOLS_LOG_LEVEL` / the function's log-level
 * setting honoured). Callers pass facts, never payloads: the scanner's findings are masked before they
 * get here. Handlers see this small interface, not Powertools, so tests and callers stay the same.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line (e.g. the request id). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /**
   * Lines below this level are dropped.
   * @default 'info'
   */
  readonly level?: LogLevel;
  /**
   * Fields on every line.
   * @default {}
   */
  readonly fields?: LogFields;
  /**
   * Where lines go.
   * @default stdout, as Powertools writes it (CloudWatch Logs in Lambda)
   */
  readonly write?: (line: string) => void;
  /**
   * The `service` field of every line.
   * @default 'secure-environment'
   */
  readonly serviceName?: string;
}

const POWERTOOLS_LEVEL = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

export function createLogger(options: LoggerOptions = {}): Logger {
  const settings: ConstructorOptions = {
    serviceName: options.serviceName ?? 'secure-environment',
    logLevel: POWERTOOLS_LEVEL[options.level ?? 'info'],
    persistentKeys: readable(options.fields ?? {}),
  };
  const write = options.write;
  return wrap(write === undefined ? new PowertoolsLogger(settings) : new LineLogger(settings, write));
}

function wrap(powertools: PowertoolsLogger): Logger {
  return {
    debug: (message, fields) => powertools.debug(message, readable(fields ?? {})),
    info: (message, fields) => powertools.info(message, readable(fields ?? {})),
    warn: (message, fields) => powertools.warn(message, readable(fields ?? {})),
    error: (message, fields) => powertools.error(message, readable(fields ?? {})),
    child: (fields) => wrap(powertools.createChild({ persistentKeys: readable(fields) })),
  };
}

/** Powertools writing its lines to `write` instead of stdout (tests read them). */
class LineLogger extends PowertoolsLogger {
  constructor(
    options: ConstructorOptions,
    private readonly write: (line: string) => void,
  ) {
    super(options);
  }

  protected override createLogger(options?: ConstructorOptions): PowertoolsLogger {
    return new LineLogger(options ?? {}, this.write);
  }

  protected override printLog(_logLevel: number, log: Parameters<PowertoolsLogger['printLog']>[1]): void {
    this.write(`${JSON.stringify(log.getAttributes(), this.getJsonReplacer())}\n`);
  }
}

/**
 * Errors keep name, message and AWS's status code (Powertools would add the stack, which can quote
 * request payloads).
 */
function readable(fields: LogFields): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => {
      if (!(value instanceof Error)) return [key, value];
      const metadata = (value as { $metadata?: { httpStatusCode?: number } }).$metadata;
      return [key, { name: value.name, message: value.message, statusCode: metadata?.httpStatusCode }];
    }),
  );
}
