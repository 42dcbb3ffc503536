import {
  type EnvironmentDetail,
  type EnvironmentStatus,
  followEnvironment,
  SETTLED_STATUSES,
  type SepClient,
  type StreamMessage,
  unwrap,
} from '@sep/client';
import { CliError, EXIT } from './exit-codes';
import type { Output } from './program';

export interface WaitOptions {
  readonly client: SepClient;
  readonly suffix: string;
  /** The status that means success: `ready` after a create, `destroyed` after a destroy. */
  readonly goal: Extract<EnvironmentStatus, 'ready' | 'destroyed'>;
  readonly timeoutMs: number;
  /** Where progress goes (stderr): a bar redrawn in place on a TTY, plain lines in CI logs. */
  readonly progress: Output;
}

/**
 * Follows the environment's event stream until it settles; resolves with its final detail when it reached
 * the goal, throws a CliError naming the failed resource (exit 4) or the timeout (exit 5) otherwise.
 */
export async function waitForEnvironment(options: WaitOptions): Promise<EnvironmentDetail> {
  const { client, suffix, progress } = options;
  const report = progressReporter(progress);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      report.end();
      throw new CliError(
        `timed out after ${Math.round(options.timeoutMs / 60_000)} min waiting for ${suffix}`,
        EXIT.timedOut,
      );
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), remaining);
    try {
      await followEnvironment(client, suffix, report.message, abort.signal);
    } catch (error) {
      // A dropped stream is followed again below; a timeout is reported on the next turn.
      if (!abort.signal.aborted && !(error instanceof TypeError)) throw error;
    } finally {
      clearTimeout(timer);
    }
    const detail = await unwrap(client.GET('/api/environments/{suffix}', { params: { path: { suffix } } }));
    if (SETTLED_STATUSES.includes(detail.status)) {
      report.end();
      if (detail.status === options.goal) return detail;
      const failure = detail.failure;
      const why = failure
        ? `${failure.logicalResourceId} (${failure.resourceType}): ${failure.reason}`
        : (detail.statusReason ?? 'no reason given');
      throw new CliError(`${suffix} ${detail.status}: ${why}`, EXIT.deploymentFailed);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

function progressReporter(out: Output) {
  const tty = out.isTTY === true;
  let lastLine = '';
  let drawn = false;
  const write = (line: string) => {
    if (line === lastLine) return;
    lastLine = line;
    if (tty) {
      out.write(`\r\u001b[2K${line}`);
      drawn = true;
    } else {
      out.write(`${line}\n`);
    }
  };
  const above = (line: string) => {
    if (tty && drawn) out.write('\r\u001b[2K');
    out.write(`${line}\n`);
    if (tty && drawn) out.write(lastLine);
  };
  return {
    message(message: StreamMessage): void {
      if (message.type === 'snapshot') {
        const { phase, percent, resourcesDone, resourcesTotal } = message.progress;
        const resources = resourcesTotal > 0 ? ` ${resourcesDone}/${resourcesTotal} resources` : '';
        const rounded = Math.round(percent);
        // CI logs get a line per 10 % step; a terminal redraws a bar.
        const shown = tty ? rounded : Math.floor(rounded / 10) * 10;
        const bar = tty ? `[${'#'.repeat(Math.round(rounded / 5)).padEnd(20, '.')}] ` : '';
        const state = message.status === phase ? phase : `${message.status} (${phase})`;
        write(`${bar}${state} ${shown}%${resources}`);
        if (message.failure) above(`failed: ${message.failure.logicalResourceId}: ${message.failure.reason}`);
      } else if (message.type === 'events') {
        for (const event of message.events) {
          if (event.resourceStatus.endsWith('_FAILED')) {
            above(`${event.resourceStatus} ${event.logicalResourceId}: ${event.resourceStatusReason ?? ''}`);
          }
        }
      } else {
        above(`portal: ${message.message} (retrying in ${Math.round(message.retryInMs / 1000)} s)`);
      }
    },
    end(): void {
      if (tty && drawn) out.write('\n');
      drawn = false;
    },
  };
}
