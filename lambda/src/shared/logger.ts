/**
 * One-line JSON logs for CloudWatch (queryable with Logs Insights). Callers pass
 * facts, never payloads: the scanner's findings are masked before they get here.
 */

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
   * @default process.stdout.write
   */
  readonly write?: (line: string) => void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const base = options.fields ?? {};
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (RANK[level] < threshold) return;
    write(
      `${JSON.stringify({ level, time: new Date().toISOString(), message, ...base, ...fields }, errorReplacer)}\n`,
    );
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** Errors serialise to `{}` by default; keep name, message and AWS's status code. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const metadata = (value as { $metadata?: { httpStatusCode?: number } }).$metadata;
    return { name: value.name, message: value.message, statusCode: metadata?.httpStatusCode };
  }
  return value;
}
