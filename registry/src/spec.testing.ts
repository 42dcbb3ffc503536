// Test support for this package's own suites: never imported by production code.
import { type EnvironmentSpec, parseEnvironmentSpec } from '@sep/spec';

/** A valid ephemeral spec for `pr-1`, with the fields a test cares about overridden. */
export function ephemeralSpec(overrides: Record<string, unknown> = {}): EnvironmentSpec {
  const parsed = parseEnvironmentSpec({
    environmentSuffix: 'pr-1',
    kind: 'ephemeral',
    owner: 'alice@example.com',
    project: 'payments',
    costCenter: 'cc-1',
    ...overrides,
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}
