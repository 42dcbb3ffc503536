import { parseEnvironmentSpec } from '@sep/spec';
import { specInputFromContext } from './app-context';

const fromContext = (context: Record<string, unknown>) =>
  specInputFromContext({ tryGetContext: (key) => context[key], defaultOwner: 'alice' });

describe('specInputFromContext', () => {
  it('makes `-c environmentSuffix=pr123` a valid ephemeral spec', () => {
    const parsed = parseEnvironmentSpec(fromContext({ environmentSuffix: 'pr123' }));
    expect(parsed.success && parsed.spec).toMatchObject({
      environmentSuffix: 'pr123',
      kind: 'ephemeral',
      owner: 'alice',
    });
  });

  it('maps features, lists and numbers from context strings', () => {
    const input = fromContext({
      environmentSuffix: 'pr9',
      waf: 'false',
      database: 'true',
      apiEndpointType: 'PRIVATE',
      alertEmails: 'a@example.com, b@example.com',
      ttlHours: '24',
    });
    expect(input).toMatchObject({
      features: { waf: false, database: true, apiEndpointType: 'PRIVATE' },
      alertEmails: ['a@example.com', 'b@example.com'],
      ttlHours: 24,
    });
  });

  it('leaves bad values for the schema to report field by field', () => {
    const parsed = parseEnvironmentSpec(
      fromContext({ environmentSuffix: 'Bad', waf: 'maybe', ttlHours: 'soon' }),
    );
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      expect(parsed.errors.map((error) => error.path)).toEqual(
        expect.arrayContaining(['environmentSuffix', 'features.waf', 'ttlHours']),
      );
    }
  });
});
