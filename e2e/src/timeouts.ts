/**
 * Bounds for waiting on the portal. A real synth (cdk synth + cdk-nag in a
 * child process) takes several seconds and the portal runs one at a time, so
 * a stage may queue behind others; the simulated deployment then runs at the
 * suite's speed factor. Generous, but bounded: a stuck flow fails the test.
 */

/** Request → ready (synth queue + synth + deployment). */
export const READY_TIMEOUT_MS = 180_000;
/** Destroy → destroyed. */
export const DESTROYED_TIMEOUT_MS = 60_000;
/** Request → failed on an injected resource failure. */
export const FAILED_TIMEOUT_MS = 180_000;
