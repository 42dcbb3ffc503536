import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * The one key pair every local AWS-compatible endpoint accepts: s3rver registers `S3RVER`/`S3RVER`,
 * dynalite checks only the signature's shape, and the endpoints below verify SigV4 against it.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** One API method as API Gateway enforces it (path under the stage, e.g. `/documents`). */
export interface LocalApiMethod {
  readonly path: string;
  readonly httpMethod: string;
  readonly apiKeyRequired: boolean;
  /** `AWS_IAM` (SigV4), `NONE`, … */
  readonly authorizationType: string;
}

/** A deployed REST API stage as the local endpoints serve it. */
export interface LocalApi {
  readonly apiId: string;
  readonly stageName: string;
  readonly region: string;
  readonly methods: readonly LocalApiMethod[];
  /** IDs of the API keys whose usage plan covers this stage. */
  readonly apiKeyIds: readonly string[];
}

export interface LocalApiKey {
  readonly id: string;
  readonly value: string;
  readonly enabled: boolean;
  readonly name?: string;
}

/** What the endpoints know of the deployed environments (looked up on every request: deployments change). */
export interface LocalApiDirectory {
  api(apiId: string): LocalApi | undefined;
  apiKey(keyId: string): LocalApiKey | undefined;
}

export interface LocalAwsEndpoints {
  /** `http://127.0.0.1:<port>`: set as AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL_API_GATEWAY. */
  readonly endpoint: string;
  /** AWS_CONTAINER_CREDENTIALS_FULL_URI: where a process gets its credentials, as CodeBuild hands them out. */
  readonly credentialsUri: string;
  /** The URL a deployed stage answers on locally (what `https://<id>.execute-api.<region>.amazonaws.com/<stage>/` is in AWS). */
  apiUrl(api: { readonly apiId: string; readonly stageName: string }): string;
  /** Every request answered, oldest first (bounded), for tests and the run log. */
  readonly requests: readonly LocalRequestRecord[];
  /** The process environment that points the AWS SDK of a child process at these endpoints. */
  environment(): Record<string, string>;
  close(): Promise<void>;
}

export interface LocalRequestRecord {
  readonly service: 'credentials' | 'sts' | 'apigateway' | 'execute-api';
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface StartLocalAwsEndpointsOptions {
  readonly apis: LocalApiDirectory;
  /** The account the credentials belong to (GetCallerIdentity). @default 111111111111 */
  readonly account?: string;
  /** The role the credentials are a session of. @default a CodeBuild-style service role */
  readonly roleName?: string;
}

const MAX_RECORDS = 500;

/**
 * AWS endpoints a pipeline action needs besides DynamoDB (dynalite) and S3 (s3rver), on loopback:
 * container credentials (how CodeBuild gives a build its role), STS (GetCallerIdentity, AssumeRole),
 * API Gateway's GetApiKey, and the data plane of deployed REST API stages, which checks what API
 * Gateway checks before it calls an integration — the route exists, the SigV4 signature (AWS_IAM)
 * verifies, the API key is valid for the stage — in API Gateway's order and with its 403 bodies. The
 * integration itself (the environment's Lambda) does not run here: an authorised call gets 202.
 */
export async function startLocalAwsEndpoints(
  options: StartLocalAwsEndpointsOptions,
): Promise<LocalAwsEndpoints> {
  const account = options.account ?? '111111111111';
  const roleName = options.roleName ?? 'codebuild-local-service-role';
  const requests: LocalRequestRecord[] = [];
  const record = (entry: LocalRequestRecord) => {
    requests.push(entry);
    if (requests.length > MAX_RECORDS) requests.shift();
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      handle({ request, response, body, apis: options.apis, account, roleName, record }).catch(
        (error: unknown) => {
          send(response, 500, 'application/json', JSON.stringify({ message: (error as Error).message }));
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    credentialsUri: `${endpoint}/credentials`,
    apiUrl: (api) => `${endpoint}/execute-api/${api.apiId}/${api.stageName}/`,
    requests,
    environment: () => ({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${endpoint}/credentials`,
      AWS_ENDPOINT_URL_STS: endpoint,
      AWS_ENDPOINT_URL_API_GATEWAY: endpoint,
    }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

interface HandleOptions {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly body: string;
  readonly apis: LocalApiDirectory;
  readonly account: string;
  readonly roleName: string;
  readonly record: (entry: LocalRequestRecord) => void;
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID() });
  response.end(body);
}

async function handle(options: HandleOptions): Promise<void> {
  const { request, response, body } = options;
  const url = new URL(request.url ?? '/', 'http://local');
  const method = request.method ?? 'GET';
  const answer = (
    service: LocalRequestRecord['service'],
    status: number,
    contentType: string,
    text: string,
  ) => {
    options.record({ service, method, path: url.pathname, status });
    send(response, status, contentType, text);
  };

  if (url.pathname === '/credentials') {
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    return answer(
      'credentials',
      200,
      'application/json',
      JSON.stringify({
        AccessKeyId: LOCAL_CREDENTIALS.accessKeyId,
        SecretAccessKey: LOCAL_CREDENTIALS.secretAccessKey,
        Token: `local-session-${randomUUID()}`,
        Expiration: expiration,
      }),
    );
  }

  if (url.pathname.startsWith('/execute-api/')) {
    const [apiId = '', stageName = '', ...rest] = url.pathname.slice('/execute-api/'.length).split('/');
    const result = await executeApi({
      options,
      apiId,
      stageName,
      path: `/${rest.join('/')}`,
      method,
      body,
      url,
    });
    return answer('execute-api', result.status, 'application/json', JSON.stringify(result.body));
  }

  const apiKey = /^\/apikeys\/([^/]+)$/.exec(url.pathname);
  if (apiKey !== null && method === 'GET') {
    if (!hasSignature(request)) return answer('apigateway', 403, 'application/json', MISSING_TOKEN);
    const key = options.apis.apiKey(decodeURIComponent(apiKey[1] ?? ''));
    if (key === undefined) {
      return answer(
        'apigateway',
        404,
        'application/json',
        JSON.stringify({ message: 'Invalid API Key identifier specified' }),
      );
    }
    const includeValue = url.searchParams.get('includeValue') === 'true';
    return answer(
      'apigateway',
      200,
      'application/json',
      JSON.stringify({
        id: key.id,
        enabled: key.enabled,
        ...(key.name === undefined ? {} : { name: key.name }),
        ...(includeValue ? { value: key.value } : {}),
      }),
    );
  }

  if (method === 'POST' && url.pathname === '/') {
    const form = new URLSearchParams(body);
    const action = form.get('Action');
    if (!hasSignature(request))
      return answer(
        'sts',
        403,
        'text/xml',
        stsError('MissingAuthenticationToken', 'Request is missing Authentication Token'),
      );
    if (action === 'GetCallerIdentity') {
      return answer(
        'sts',
        200,
        'text/xml',
        stsResult(
          'GetCallerIdentity',
          `<Arn>arn:aws:sts::${options.account}:assumed-role/${options.roleName}/local</Arn><UserId>AROALOCAL:local</UserId><Account>${options.account}</Account>`,
        ),
      );
    }
    if (action === 'AssumeRole') {
      const roleArn = form.get('RoleArn') ?? '';
      const sessionName = form.get('RoleSessionName') ?? 'session';
      const role = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
      if (role === null) {
        return answer('sts', 400, 'text/xml', stsError('ValidationError', `${roleArn} is not a role ARN`));
      }
      const expiration = new Date(Date.now() + 3600_000).toISOString();
      return answer(
        'sts',
        200,
        'text/xml',
        stsResult(
          'AssumeRole',
          `<Credentials><AccessKeyId>${LOCAL_CREDENTIALS.accessKeyId}</AccessKeyId><SecretAccessKey>${LOCAL_CREDENTIALS.secretAccessKey}</SecretAccessKey><SessionToken>local-session-${randomUUID()}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::${role[1]}:assumed-role/${role[2]}/${escapeXml(sessionName)}</Arn><AssumedRoleId>AROALOCAL:${escapeXml(sessionName)}</AssumedRoleId></AssumedRoleUser>`,
        ),
      );
    }
    return answer(
      'sts',
      400,
      'text/xml',
      stsError('InvalidAction', `${action ?? '(none)'} is not served locally`),
    );
  }
  return answer(
    'execute-api',
    404,
    'application/json',
    JSON.stringify({ message: `no local endpoint for ${method} ${url.pathname}` }),
  );
}

/** API Gateway's answer when the route does not exist or the request is not signed. */
const MISSING_TOKEN = JSON.stringify({ message: 'Missing Authentication Token' });

function hasSignature(request: IncomingMessage): boolean {
  return /^AWS4-HMAC-SHA256 Credential=/.test(String(request.headers.authorization ?? ''));
}

async function executeApi(args: {
  options: HandleOptions;
  apiId: string;
  stageName: string;
  path: string;
  method: string;
  body: string;
  url: URL;
}): Promise<{ status: number; body: unknown }> {
  const { options, apiId, stageName, path, method, body, url } = args;
  const api = options.apis.api(apiId);
  const route =
    api?.stageName === stageName
      ? api.methods.find((m) => matchesPath(m.path, path) && m.httpMethod === method)
      : undefined;
  if (api === undefined || route === undefined) return { status: 403, body: JSON.parse(MISSING_TOKEN) };
  if (route.authorizationType === 'AWS_IAM') {
    if (!hasSignature(options.request)) return { status: 403, body: JSON.parse(MISSING_TOKEN) };
    const verdict = await verifySignature({ request: options.request, url, body, region: api.region });
    if (verdict !== undefined) return { status: 403, body: { message: verdict } };
  }
  if (route.apiKeyRequired) {
    const presented = String(options.request.headers['x-api-key'] ?? '');
    const valid = api.apiKeyIds
      .map((id) => options.apis.apiKey(id))
      .some((key) => presented !== '' && key?.enabled === true && key.value === presented);
    if (!valid) return { status: 403, body: { message: 'Forbidden' } };
  }
  return {
    status: 202,
    body: {
      accepted: true,
      requestId: createHash('sha256').update(`${apiId}${path}${body}`).digest('hex').slice(0, 16),
      note: 'local mode: API Gateway checks passed; the integration does not run on this machine',
    },
  };
}

/** Re-signs the request with the local key pair and compares: undefined when it verifies, else the reason. */
async function verifySignature(args: {
  request: IncomingMessage;
  url: URL;
  body: string;
  region: string;
}): Promise<string | undefined> {
  const authorization = String(args.request.headers.authorization);
  const credential = /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const signature = /Signature=([0-9a-f]+)/.exec(authorization)?.[1];
  const amzDate = String(args.request.headers['x-amz-date'] ?? '');
  if (credential === null || signature === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
    return 'Authorization header requires Credential, SignedHeaders, Signature and X-Amz-Date';
  }
  if (credential[1] !== LOCAL_CREDENTIALS.accessKeyId)
    return 'The security token included in the request is invalid.';
  if (credential[3] !== args.region || credential[4] !== 'execute-api') {
    return `Credential should be scoped to a valid region and service: expected ${args.region}/execute-api`;
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = args.request.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new SignatureV4({
    service: 'execute-api',
    region: args.region,
    credentials: LOCAL_CREDENTIALS,
    sha256: Sha256,
  });
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const resigned = await signer.sign(
    {
      method: args.request.method ?? 'GET',
      protocol: 'http:',
      hostname: args.url.hostname,
      path: args.url.pathname,
      query: Object.fromEntries(args.url.searchParams),
      headers,
      ...(args.body === '' ? {} : { body: args.body }),
    },
    { signingDate },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(resigned.headers.authorization))?.[1];
  return expected === signature
    ? undefined
    : 'The request signature we calculated does not match the signature you provided.';
}

/** A resource path with parameters (`/documents/{documentId}/findings`) against a request path. */
export function matchesPath(template: string, path: string): boolean {
  const pattern = template
    .split('/')
    .map((part) => (/^\{[^}]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}$`).test(path);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function stsResult(action: string, inner: string): string {
  return `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

function stsError(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}
