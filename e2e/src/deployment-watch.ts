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

/** Where the in-page recorder keeps what it saw (reset by a navigation or reload). */
const RECORDER_KEY = '__sepProgressSamples';

/**
 * Installs (once per document) a recorder in the page that notes every
 * distinct state of the progress card the moment React renders it, and
 * returns everything recorded so far. Recording in the page, not by polling
 * from the test, means a slow screenshot or a busy machine cannot make the
 * test miss a state the user saw.
 */
async function recorded(page: Page): Promise<{ id: string; samples: ProgressSample[] }> {
  return page.evaluate((key) => {
    type Sample = {
      status: string;
      phase: string;
      done: number;
      total: number;
      text: string;
      stream: string;
    };
    const store = window as unknown as Record<string, { id: string; samples: Sample[] } | undefined>;
    const read = (): Sample | undefined => {
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
    };
    const note = (samples: Sample[]) => {
      const current = read();
      if (current === undefined) return;
      const last = samples.at(-1);
      if (
        last === undefined ||
        last.status !== current.status ||
        last.phase !== current.phase ||
        last.done !== current.done ||
        last.total !== current.total ||
        last.stream !== current.stream
      ) {
        samples.push(current);
      }
    };
    let record = store[key];
    if (record === undefined) {
      const fresh = { id: `${Date.now()}-${Math.random()}`, samples: [] as Sample[] };
      record = fresh;
      store[key] = fresh;
      new MutationObserver(() => note(fresh.samples)).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true,
      });
    }
    note(record.samples);
    return { id: record.id, samples: [...record.samples] };
  }, RECORDER_KEY);
}

/**
 * Follows the live detail page (it updates from the server-sent event stream,
 * no reloads) and returns every distinct state it rendered, up to and
 * including the FIRST one for which `until` holds. Every state the page showed
 * is judged, not only the one it shows when the test looks: a page that moved
 * past the awaited state between two looks still satisfies the wait. Fails
 * with the states seen when no state satisfies it within `timeoutMs`.
 * States before the call are not included; a navigation starts a new record.
 */
export async function watchDeployment(
  page: Page,
  options: {
    until: (sample: ProgressSample) => boolean;
    timeoutMs: number;
    /** Called once per newly seen phase (e.g. to screenshot it); recording goes on meanwhile. */
    onPhase?: (sample: ProgressSample) => Promise<void>;
    /**
     * Judge every state this document recorded since an earlier watch installed the recorder, not only
     * those from this call on: for an action taken between the two (e.g. an approval whose deployment
     * may be over before the test looks again).
     * @default false
     */
    sinceRecorderInstalled?: boolean;
  },
): Promise<ProgressSample[]> {
  // Per document (a reload or navigation starts a new record): where this watch starts reading it.
  const records: { id: string; from: number; samples: ProgressSample[] }[] = [];
  const first = await recorded(page);
  const from = options.sinceRecorderInstalled === true ? 0 : Math.max(0, first.samples.length - 1);
  records.push({ id: first.id, from, samples: first.samples });
  let seen: ProgressSample[] = [];
  let reported = 0;
  try {
    await expect
      .poll(
        async () => {
          const current = await recorded(page);
          const known = records.find((r) => r.id === current.id);
          if (known === undefined) records.push({ id: current.id, from: 0, samples: current.samples });
          else known.samples = current.samples;
          seen = records.flatMap((r) => r.samples.slice(r.from));
          if (seen.length === 0) return false;
          for (; reported < seen.length; reported += 1) {
            const sample = seen[reported];
            const previous = seen[reported - 1];
            if (sample !== undefined && previous?.phase !== sample.phase) await options.onPhase?.(sample);
          }
          // Decided on every state the page has shown since the watch began, in order.
          const first = seen.findIndex((sample) => options.until(sample));
          if (first === -1) return false;
          seen = seen.slice(0, first + 1);
          return true;
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
