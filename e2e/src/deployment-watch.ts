import { expect, type Page } from '@playwright/test';

/** What the environment detail page shows about a deployment at one moment. */
export interface ProgressSample {
  /** `data-status` of the detail page (the registry status). */
  readonly status: string;
  /** `data-phase` of the phase stepper (queued, synthesizing, deploying, complete, rolling-back, failed, …). */
  readonly phase: string;
  /** The progress bar's aria-valuenow / aria-valuemax. */
  readonly done: number;
  readonly total: number;
  readonly text: string;
  /** `data-state` of the live-stream badge (open, connecting, reconnecting), for diagnosis. */
  readonly stream: string;
}

async function sample(page: Page): Promise<ProgressSample | undefined> {
  return page.evaluate(() => {
    const detail = document.querySelector('[data-testid="environment-detail"]');
    const phases = document.querySelector('[data-testid="deployment-phases"]');
    const bar = document.querySelector('[data-testid="deployment-progress-bar"]');
    const text = document.querySelector('[data-testid="deployment-progress-bar-text"]');
    const stream = document.querySelector('[data-testid="stream-state"]');
    if (!detail || !phases || !bar) return undefined;
    return {
      status: detail.getAttribute('data-status') ?? '',
      phase: phases.getAttribute('data-phase') ?? '',
      done: Number(bar.getAttribute('aria-valuenow') ?? 'NaN'),
      total: Number(bar.getAttribute('aria-valuemax') ?? 'NaN'),
      text: text?.textContent ?? '',
      stream: stream?.getAttribute('data-state') ?? 'none',
    };
  });
}

/**
 * Follows the live detail page (it updates from the server-sent event stream,
 * no reloads) and records every distinct state until `until` holds. Fails
 * with the states seen when it does not happen within `timeoutMs`.
 */
export async function watchDeployment(
  page: Page,
  options: {
    until: (sample: ProgressSample) => boolean;
    timeoutMs: number;
    /** Called once per newly seen phase (e.g. to screenshot it). */
    onPhase?: (sample: ProgressSample) => Promise<void>;
  },
): Promise<ProgressSample[]> {
  const seen: ProgressSample[] = [];
  try {
    await expect
      .poll(
        async () => {
          const current = await sample(page);
          if (current === undefined) return false;
          const last = seen.at(-1);
          if (
            last === undefined ||
            last.status !== current.status ||
            last.phase !== current.phase ||
            last.done !== current.done ||
            last.total !== current.total ||
            last.stream !== current.stream
          ) {
            seen.push(current);
            if (last?.phase !== current.phase) await options.onPhase?.(current);
          }
          return options.until(current);
        },
        { timeout: options.timeoutMs, intervals: [200] },
      )
      .toBe(true);
  } catch (error) {
    const states = seen
      .map((s) => `${s.status}/${s.phase} ${s.done}/${s.total} stream=${s.stream}`)
      .join(' → ');
    throw new Error(
      `the deployment did not reach the expected state within ${options.timeoutMs} ms; seen: ${states || 'nothing'}\n${String(error)}`,
    );
  }
  return seen;
}

/** The phases in the order they were first seen. */
export function phaseOrder(samples: readonly ProgressSample[]): string[] {
  const phases: string[] = [];
  for (const s of samples) if (phases.at(-1) !== s.phase) phases.push(s.phase);
  return phases;
}
