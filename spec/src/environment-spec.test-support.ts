// Test support shared by the environment-spec test files: the smallest valid request, and the
// errors of a request the spec must refuse.
import { type EnvironmentSpecInput, parseEnvironmentSpec } from '.';

export const minimal: EnvironmentSpecInput = {
  environmentSuffix: 'pr-123',
  kind: 'ephemeral',
  owner: 'alice@example.com',
  project: 'payments',
  costCenter: 'CC-1042',
};

export function errorsFor(input: unknown) {
  const result = parseEnvironmentSpec(input);
  if (result.success) throw new Error(`expected a refusal, got ${JSON.stringify(result.spec)}`);
  return result.errors;
}
