import { Sha256 } from '@aws-crypto/sha256-js';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { SignatureV4 } from '@smithy/signature-v4';
import { runSmokeTest, SmokeTestError } from '../smoke/smoke-test';
import {
  LOCAL_CREDENTIALS,
  type LocalApiKey,
  type LocalAwsEndpoints,
  startLocalAwsEndpoints,
} from './endpoints';

const KEY: LocalApiKey = { id: 'key1234567', value: 'v'.repeat(40), enabled: true };
const apis = new Map([
  [
    'abcdef1234',
    {
      apiId: 'abcdef1234',
      stageName: 'v1',
      region: 'eu-west-1',
      methods: [
        { path: '/documents', httpMethod: 'POST', apiKeyRequired: true, authorizationType: 'AWS_IAM' },
      ],
      apiKeyIds: [KEY.id],
    },
  ],
]);
const keys = new Map([[KEY.id, KEY]]);

let endpoints: LocalAwsEndpoints;
beforeAll(async () => {
  endpoints = await startLocalAwsEndpoints({
    account: '222222222222',
    apis: { api: (id) => apis.get(id), apiKey: (id) => keys.get(id) },
  });
});
afterAll(() => endpoints.close());

const smoke = (overrides: Partial<Parameters<typeof runSmokeTest>[0]> = {}) =>
  runSmokeTest({
    apiUrl: endpoints.apiUrl({ apiId: 'abcdef1234', stageName: 'v1' }),
    apiKeyId: KEY.id,
    region: 'eu-west-1',
    credentials: LOCAL_CREDENTIALS,
    apiGateway: new APIGatewayClient({
      region: 'eu-west-1',
      endpoint: endpoints.endpoint,
      credentials: LOCAL_CREDENTIALS,
    }),
    attempts: 1,
    // A refused key is retried while a new key propagates; here a 403 is the answer under test.
    keyPropagationMs: 0,
    log: () => undefined,
    ...overrides,
  });

describe('local AWS endpoints: what API Gateway checks before the integration', () => {
  it('passes the real smoke test: signed with the key → 202, signed without → 403', async () => {
    await expect(smoke()).resolves.toEqual({ withKey: 202, withoutKey: 403 });
  });

  it('refuses a signature made with other credentials', async () => {
    await expect(smoke({ credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'wrong' } })).rejects.toThrow(
      /expected 2xx with the API key, got 403: .*signature we calculated does not match/,
    );
  });

  it('refuses a signature scoped to another region', async () => {
    await expect(smoke({ region: 'us-east-1' })).rejects.toThrow(/Credential should be scoped/);
  });

  it('answers a route the API does not have as API Gateway does (403 Missing Authentication Token)', async () => {
    await expect(smoke({ route: { method: 'POST', path: 'nothing-here' } })).rejects.toThrow(
      /got 403: \{"message":"Missing Authentication Token"\}/,
    );
  });

  it('fails the smoke test when the key is disabled', async () => {
    keys.set(KEY.id, { ...KEY, enabled: false });
    try {
      await expect(smoke()).rejects.toThrow(SmokeTestError);
    } finally {
      keys.set(KEY.id, KEY);
    }
  });

  it('hands out credentials and answers STS as CodeBuild and AWS would', async () => {
    const response = await fetch(endpoints.credentialsUri);
    expect(await response.json()).toMatchObject({ AccessKeyId: LOCAL_CREDENTIALS.accessKeyId });
    const url = new URL(endpoints.endpoint);
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const signer = new SignatureV4({
      service: 'sts',
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const identity = await fetch(endpoints.endpoint, { method: 'POST', headers: signed.headers, body });
    expect(await identity.text()).toContain('<Account>222222222222</Account>');
    const unsigned = await fetch(endpoints.endpoint, { method: 'POST', body });
    expect(unsigned.status).toBe(403);
  });
});
