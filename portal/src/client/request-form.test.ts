import { MAX_SUFFIX_LENGTH } from '@sep/spec';
import {
  INITIAL_REQUEST_FORM_VALUES,
  inPeoplesWords,
  type RequestFormValues,
  toFormFieldErrors,
  toRequestBody,
  validateRequestForm,
} from './request-form';

const valid: RequestFormValues = {
  ...INITIAL_REQUEST_FORM_VALUES,
  environmentSuffix: 'pr-123',
  project: 'payments',
  costCenter: 'CC-1042',
};

describe('toRequestBody', () => {
  it('sends the request without owner, with lists split and empty optionals left out', () => {
    const body = toRequestBody({
      ...valid,
      environmentSuffix: ' pr-123 ',
      alertEmails: 'a@example.com,\n b@example.com\n',
      allowedCidrs: '10.1.0.0/16\n10.2.0.0/16',
      ttlHours: '24',
    });
    expect(body).toEqual({
      environmentSuffix: 'pr-123',
      kind: 'ephemeral',
      project: 'payments',
      costCenter: 'CC-1042',
      dataClassification: 'confidential',
      complianceLevel: 'pci-dss',
      region: 'us-east-1',
      features: INITIAL_REQUEST_FORM_VALUES.features,
      alertEmails: ['a@example.com', 'b@example.com'],
      allowedCidrs: ['10.1.0.0/16', '10.2.0.0/16'],
      ttlHours: 24,
    });
    expect(body).not.toHaveProperty('owner');
    expect(body).not.toHaveProperty('account');
    expect(body).not.toHaveProperty('existingDatabaseSecretArn');
  });

  it('drops the TTL for staging and prod, which have none', () => {
    expect(toRequestBody({ ...valid, kind: 'staging', ttlHours: '24' })).not.toHaveProperty('ttlHours');
  });
});

describe('validateRequestForm (the shared request schema)', () => {
  it('accepts a complete request', () => {
    expect(validateRequestForm(valid).errors).toEqual([]);
  });

  it.each([
    ['Pr-1', 'Environment suffix must be lowercase'],
    ['1pr', 'Environment suffix must start with a lowercase letter'],
    ['pr--1', 'Environment suffix must not contain consecutive hyphens'],
    ['pr-1-', 'Environment suffix must not end with a hyphen'],
    ['p', 'Environment suffix must be at least 2 characters'],
    [
      `a${'b'.repeat(MAX_SUFFIX_LENGTH)}`,
      `Environment suffix must be at most ${MAX_SUFFIX_LENGTH} characters`,
    ],
    ['pr-prod-fix', '"prod" is reserved'],
  ])('puts the error for suffix %s on the suffix field', (environmentSuffix, message) => {
    const { errors } = validateRequestForm({ ...valid, environmentSuffix });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.name).toBe('environmentSuffix');
    expect(errors[0]?.message).toContain(message);
  });

  it('reports a non-numeric TTL on the TTL field', () => {
    expect(validateRequestForm({ ...valid, ttlHours: '1.5' }).errors).toEqual([
      { name: 'ttlHours', message: 'Time to live must be a whole number of hours' },
    ]);
  });

  it('puts list entry errors on the list field with the entry number', () => {
    expect(validateRequestForm({ ...valid, alertEmails: 'ok@example.com\nnot-an-email' }).errors).toEqual([
      { name: 'alertEmails', message: 'Entry 2: must be an email address' },
    ]);
  });

  it('asks staging for an alert email', () => {
    expect(validateRequestForm({ ...valid, environmentSuffix: 'staging', kind: 'staging' }).errors).toEqual([
      { name: 'alertEmails', message: 'A staging environment needs at least one alert email' },
    ]);
  });
});

describe('inPeoplesWords', () => {
  it('names the field by its label and starts a sentence', () => {
    expect(inPeoplesWords('environmentSuffix must be at least 2 characters')).toBe(
      'Environment suffix must be at least 2 characters',
    );
    expect(inPeoplesWords('costCenter is required')).toBe('Cost center is required');
    expect(inPeoplesWords('must be an email address')).toBe('Must be an email address');
    expect(inPeoplesWords('"prod" is reserved')).toBe('"prod" is reserved');
  });
});

describe('toFormFieldErrors (server answers)', () => {
  it('keeps the first message per field and sends unknown paths to the form root', () => {
    expect(
      toFormFieldErrors([
        { path: 'environmentSuffix', message: 'first' },
        { path: 'environmentSuffix', message: 'second' },
        { path: 'features.waf', message: 'must be a boolean' },
        { path: 'owner', message: 'unknown field "owner"' },
        { path: '(root)', message: 'expected an object' },
      ]),
    ).toEqual([
      { name: 'environmentSuffix', message: 'First' },
      { name: 'features.waf', message: 'Must be a boolean' },
      { name: 'root', message: 'Owner: unknown field "owner"; Expected an object' },
    ]);
  });
});
