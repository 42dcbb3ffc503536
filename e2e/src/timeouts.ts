/**
 * Bounds for waiting on the portal. Local mode plays the synthesized pipeline: a request waits while the
 * environments pipeline deploys (other flows' environments), then its run synthesizes the whole
 * registry through the CDK CLI (tens of seconds on a busy 2-core machine), updates the pipeline,
 * restarts and deploys wave by wave at the suite's speed factor. Generous, but bounded: a stuck flow
 * fails the test.
 */

/**
 * Request → ready (waiting run + synth + self-mutation + restart + deployment + smoke test). When another
 * flow's deliberately failing environment shares the wave, the wave fails before this environment's smoke
 * test and one more run (synth, self-mutation, restart, no-change deploy, smoke) proves it: seen at
 * 5.4 min on a loaded machine. Still under the 10-minute test timeout with room for the rest of a flow.
 */
export const READY_TIMEOUT_MS = 420_000;
/** Destroy → destroyed. */
export const DESTROYED_TIMEOUT_MS = 60_000;
/** Request → failed on an injected resource failure. */
export const FAILED_TIMEOUT_MS = 300_000;
