/**
 * Bounds for waiting on the portal. Local mode plays the synthesized pipeline: a request waits while the
 * environments pipeline deploys (other flows' environments), then its run synthesizes the whole
 * registry through the CDK CLI (tens of seconds on a busy 2-core machine), updates the pipeline,
 * restarts and deploys wave by wave at the suite's speed factor. Generous, but bounded: a stuck flow
 * fails the test.
 */

/** Request → ready (waiting run + synth + self-mutation + restart + deployment + smoke test). */
export const READY_TIMEOUT_MS = 300_000;
/** Destroy → destroyed. */
export const DESTROYED_TIMEOUT_MS = 60_000;
/** Request → failed on an injected resource failure. */
export const FAILED_TIMEOUT_MS = 300_000;
