import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { compareQuerySchema } from '../domain/comparison';
import {
  auditQuerySchema,
  costEstimateRequestSchema,
  createEnvironmentRequestSchema,
  listQuerySchema,
  promotionDecisionSchema,
  signInSchema,
} from '../domain/requests';
import type { ApiErrorCode } from '../domain/types';
import { apiErrorSchema, streamMessageSchema } from '../domain/view-schemas';
import { OPERATION_RESPONSES } from './responses';

/** Which error codes each status carries (the `code` of the `ApiError` body); `errors.ts` maps them back. */
const ERROR_STATUSES = {
  400: { codes: ['validation_failed'], what: 'The request is invalid; `fields` names each problem.' },
  401: { codes: ['unauthenticated'], what: 'No session cookie or bearer token, or an expired one.' },
  403: { codes: ['forbidden'], what: 'The caller may not do this (role, owner or origin).' },
  404: { codes: ['not_found'], what: 'No such environment (or the route is off in this mode).' },
  409: {
    codes: ['suffix_taken', 'not_destroyable', 'conflict'],
    what: 'The environment or pipeline is not in a state that allows this.',
  },
  413: { codes: ['payload_too_large'], what: 'The body is over the size limit.' },
  415: { codes: ['unsupported_media_type'], what: 'The body is not `application/json`.' },
  503: { codes: ['upstream_unavailable'], what: 'AWS (or the local platform) did not answer; retry later.' },
} as const satisfies Record<number, { codes: readonly ApiErrorCode[]; what: string }>;
type ErrorStatus = keyof typeof ERROR_STATUSES;

const errors = (...statuses: ErrorStatus[]) =>
  Object.fromEntries(
    [...statuses, 500 as const].map((status) => {
      const { codes, what } =
        status === 500
          ? { codes: ['internal'], what: 'An unexpected error; see the server log.' }
          : ERROR_STATUSES[status];
      return [
        status,
        {
          description: `${what} Codes: ${codes.map((code) => `\`${code}\``).join(', ')}.`,
          content: {
            'application/json': {
              schema: apiErrorSchema,
              example: { error: { code: codes[0], message: what } },
            },
          },
        },
      ];
    }),
  );

const ok = (description: string, schema: z.ZodType, status = 200) => ({
  [status]: { description, content: { 'application/json': { schema } } },
});
const jsonBody = (schema: z.ZodType) => ({
  body: { required: true, content: { 'application/json': { schema } } },
});
const suffixParams = z.object({
  suffix: z
    .string()
    .meta({ description: 'The environment suffix (its name), e.g. `pr-123`', example: 'pr-123' }),
});

/** Operations anyone may call (sign-in, the document itself): no security requirement. */
const PUBLIC: RouteConfig['security'] = [];

/**
 * Every documented operation, in the order of the document. (The file is a little over ~400 lines on
 * purpose: this list is the API's table of contents, one entry per route, and reads best whole.)
 */
function registerOperations(add: (route: RouteConfig) => void): void {
  add({
    method: 'get',
    path: '/api/environments',
    operationId: 'listEnvironments',
    tags: ['environments'],
    summary: 'List environments',
    description: 'One page of environments ordered by suffix, with totals and cost over every match.',
    request: { query: listQuerySchema },
    responses: {
      ...ok('A page of environments.', OPERATION_RESPONSES.listEnvironments),
      ...errors(400, 401),
    },
  });
  add({
    method: 'post',
    path: '/api/environments',
    operationId: 'createEnvironment',
    tags: ['environments'],
    summary: 'Request an environment',
    description:
      'Validates the spec (the caller becomes its owner), records the request and starts its deployment. Follow it with the events stream or by polling the environment.',
    request: jsonBody(
      createEnvironmentRequestSchema.meta({
        id: 'CreateEnvironmentRequest',
        description: 'The shared EnvironmentSpec without owner (the caller owns what it requests).',
        examples: [
          { environmentSuffix: 'pr-123', kind: 'ephemeral', project: 'payments', costCenter: 'cc-1234' },
        ],
      }),
    ),
    responses: {
      ...ok('Requested; the deployment has started.', OPERATION_RESPONSES.createEnvironment, 201),
      ...errors(400, 401, 403, 409, 413, 415),
    },
  });
  add({
    method: 'get',
    path: '/api/environments/compare',
    operationId: 'compareEnvironments',
    tags: ['environments'],
    summary: 'Compare two environments',
    description:
      'Two environments side by side (e.g. staging and prod): spec, resources of the deployed templates by type, cdk-nag and AWS Config results, monthly cost from the price table, and the differences. Readable by whoever may read each environment.',
    request: { query: compareQuerySchema },
    responses: {
      ...ok('The comparison.', OPERATION_RESPONSES.compareEnvironments),
      ...errors(400, 401, 404, 503),
    },
  });
  add({
    method: 'get',
    path: '/api/environments/{suffix}',
    operationId: 'getEnvironment',
    tags: ['environments'],
    summary: 'Read an environment',
    description: 'Status, progress, stack events, outputs, cost and what the caller may do with it.',
    request: { params: suffixParams },
    responses: { ...ok('The environment.', OPERATION_RESPONSES.getEnvironment), ...errors(401, 404) },
  });
  add({
    method: 'delete',
    path: '/api/environments/{suffix}',
    operationId: 'destroyEnvironment',
    tags: ['environments'],
    summary: 'Destroy an ephemeral environment',
    description:
      'Starts the teardown of an ephemeral environment (its owner or an admin); staging and prod are 409.',
    request: { params: suffixParams },
    responses: {
      ...ok('Destroy started.', OPERATION_RESPONSES.destroyEnvironment, 202),
      ...errors(401, 403, 404, 409),
    },
  });
  add({
    method: 'get',
    path: '/api/environments/{suffix}/events',
    operationId: 'streamEnvironmentEvents',
    tags: ['environments'],
    summary: 'Follow a deployment (server-sent events)',
    description:
      'A `text/event-stream` of StreamMessage: `event: snapshot` first and whenever status or progress changes, `event: events` for stack events not sent before, `event: error` while the server retries. The stream ends once the environment settles (ready, failed or destroyed).',
    request: { params: suffixParams },
    responses: {
      200: {
        description: 'Server-sent events; each `data:` line is one StreamMessage as JSON.',
        content: { 'text/event-stream': { schema: streamMessageSchema } },
      },
      ...errors(401, 404),
    },
  });
  add({
    method: 'get',
    path: '/api/environments/{suffix}/outputs',
    operationId: 'getEnvironmentOutputs',
    tags: ['environments'],
    summary: 'Read the stack outputs (flat-outputs.json)',
    description: 'The deployed stack outputs as one flat object; 409 until the environment is deployed.',
    request: { params: suffixParams },
    responses: { ...ok('The outputs.', OPERATION_RESPONSES.getEnvironmentOutputs), ...errors(401, 404, 409) },
  });
  add({
    method: 'get',
    path: '/api/environments/{suffix}/compliance',
    operationId: 'getEnvironmentCompliance',
    tags: ['environments'],
    summary: 'Read the compliance report',
    description: 'cdk-nag results of the synthesized stage and, in aws mode, AWS Config rule results.',
    request: { params: suffixParams },
    responses: {
      ...ok('The compliance report.', OPERATION_RESPONSES.getEnvironmentCompliance),
      ...errors(401, 404),
    },
  });
  add({
    method: 'get',
    path: '/api/environments/{suffix}/evidence',
    operationId: 'getEnvironmentEvidence',
    tags: ['environments'],
    summary: 'Download the PCI DSS v4.0 evidence bundle',
    description:
      'Every PCI DSS v4.0 requirement with the checks that support it in this environment (cdk-nag rules of the published report, AWS Config rules, architectural controls) or "out of scope of the platform", signed: a detached signature over the canonical JSON of `bundle` (Ed25519 local key in local mode, KMS ECDSA_SHA_256 in aws mode; public key at `/api/evidence/public-key`). `format=html` answers the same bundle as a page for assessors. 409 in aws mode without PORTAL_EVIDENCE_KMS_KEY_ID.',
    request: {
      params: suffixParams,
      query: z.object({
        format: z.enum(['json', 'html']).optional().meta({ description: 'Default json' }),
      }),
    },
    responses: {
      200: {
        description: 'The signed bundle (JSON) or its rendering (HTML).',
        content: {
          'application/json': { schema: OPERATION_RESPONSES.getEnvironmentEvidence },
          'text/html': { schema: z.string() },
        },
      },
      ...errors(400, 401, 404, 409, 503),
    },
  });
  add({
    method: 'get',
    path: '/api/evidence/public-key',
    operationId: 'getEvidencePublicKey',
    tags: ['environments'],
    summary: 'Read the evidence signing public key',
    description:
      'The public key evidence bundles verify against (the private key never leaves the portal or KMS).',
    security: PUBLIC,
    responses: {
      ...ok('The public key.', OPERATION_RESPONSES.getEvidencePublicKey),
      ...errors(409, 503),
    },
  });
  add({
    method: 'post',
    path: '/api/environments/{suffix}/drift',
    operationId: 'detectEnvironmentDrift',
    tags: ['environments'],
    summary: 'Detect drift',
    description: 'Runs CloudFormation drift detection on the stack. Audited as environment.drift-checked.',
    request: { params: suffixParams },
    responses: {
      ...ok('The drift report.', OPERATION_RESPONSES.detectEnvironmentDrift),
      ...errors(401, 403, 404, 409),
    },
  });
  add({
    method: 'post',
    path: '/api/environments/{suffix}/retry',
    operationId: 'retryEnvironment',
    tags: ['environments'],
    summary: 'Deploy a failed environment again',
    description:
      'Deploys a failed environment again through the platform (aws: a new pipeline execution; local: a new synth and rollout). Audited as environment.retry-requested.',
    request: { params: suffixParams },
    responses: {
      ...ok('The retry has started.', OPERATION_RESPONSES.retryEnvironment, 202),
      ...errors(401, 403, 404, 409),
    },
  });
  add({
    method: 'get',
    path: '/api/suffix-availability',
    operationId: 'checkSuffixAvailability',
    tags: ['environments'],
    summary: 'Check a suffix',
    description: 'Whether a suffix is free, or why not (invalid, with field errors, or taken).',
    request: { query: z.object({ suffix: z.string().meta({ example: 'pr-123' }) }) },
    responses: { ...ok('Availability.', OPERATION_RESPONSES.checkSuffixAvailability), ...errors(400, 401) },
  });
  add({
    method: 'post',
    path: '/api/cost-estimate',
    operationId: 'estimateCost',
    tags: ['environments'],
    summary: 'Estimate the monthly cost',
    description: 'Prices a (partial) request from the documented price table.',
    request: jsonBody(costEstimateRequestSchema.meta({ id: 'CostEstimateRequest' })),
    responses: { ...ok('The estimate.', OPERATION_RESPONSES.estimateCost), ...errors(400, 401, 415) },
  });
  add({
    method: 'get',
    path: '/api/pipeline',
    operationId: 'getPipeline',
    tags: ['pipeline'],
    summary: 'Read the release pipeline',
    description: 'Stages, the current execution and the pending prod promotion, if any.',
    responses: { ...ok('The pipeline.', OPERATION_RESPONSES.getPipeline), ...errors(401, 503) },
  });
  add({
    method: 'get',
    path: '/api/pipeline/promotion/preview',
    operationId: 'getPromotionPreview',
    tags: ['pipeline'],
    summary: 'Preview the prod promotion',
    description:
      'For the execution waiting at PromoteToProd, per prod stack: the template diff between what is deployed and what will deploy (resources added, modified, replaced, removed, with property changes; computed with @aws-cdk/cloudformation-diff, the library `cdk diff` uses), IAM statements and security-group rules that change, the cdk-nag findings and suppressions that appear or disappear, and the cost delta. Stateful resources replaced or removed and security widening set `flagged`: approving then needs the confirmationPhrase and a reason. A stack with nothing deployed to compare with is `available: false` with the reason. Approvers and admins only (403); 409 when nothing waits.',
    responses: {
      ...ok('The preview.', OPERATION_RESPONSES.getPromotionPreview),
      ...errors(401, 403, 409, 503),
    },
  });
  add({
    method: 'post',
    path: '/api/pipeline/promotion',
    operationId: 'decidePromotion',
    tags: ['pipeline'],
    summary: 'Approve or reject the prod promotion',
    description:
      "Approves or rejects the prod promotion of the release pipeline execution named by executionId (GET /api/pipeline's pendingPromotion.executionId). The decision applies to that execution only: when another execution waits at the approval by now, the answer is 409 and nothing is decided. Approvers and admins only (403 otherwise). When the execution's promotion preview (GET /api/pipeline/promotion/preview) is flagged, an approval needs `confirmation` equal to the preview's confirmationPhrase and a `reason` of at least 10 characters (400 field by field otherwise); both are audited. When no preview can be computed, the approval needs neither. The audit entry records the execution ID.",
    request: jsonBody(promotionDecisionSchema.meta({ id: 'PromotionDecisionRequest' })),
    responses: {
      ...ok('The pipeline after the decision.', OPERATION_RESPONSES.decidePromotion),
      ...errors(400, 401, 403, 409, 413, 415),
    },
  });
  add({
    method: 'get',
    path: '/api/audit',
    operationId: 'listAuditEntries',
    tags: ['audit'],
    summary: 'Read the audit log',
    description: 'Audit entries, newest first; pass `nextBefore` as `before` for older ones. Admins only.',
    request: { query: auditQuerySchema },
    responses: {
      ...ok('A page of audit entries.', OPERATION_RESPONSES.listAuditEntries),
      ...errors(400, 401, 403),
    },
  });
  add({
    method: 'post',
    path: '/api/auth/sign-in',
    operationId: 'signIn',
    tags: ['auth'],
    summary: 'Sign in as a demo user (local mode)',
    description: 'Sets the session cookie. Same-origin only; aws mode signs in through OIDC (404 here).',
    security: PUBLIC,
    request: jsonBody(signInSchema.meta({ id: 'SignInRequest' })),
    responses: { ...ok('The new session.', OPERATION_RESPONSES.signIn), ...errors(400, 403, 404, 415) },
  });
  add({
    method: 'post',
    path: '/api/auth/token',
    operationId: 'issueToken',
    tags: ['auth'],
    summary: 'Issue a bearer token (local mode)',
    description:
      'A 12-hour bearer token for scripts, as a demo user. aws mode uses configured API tokens (404 here).',
    security: PUBLIC,
    request: jsonBody(signInSchema),
    responses: { ...ok('The token.', OPERATION_RESPONSES.issueToken), ...errors(400, 404, 415) },
  });
  add({
    method: 'get',
    path: '/api/auth/demo-users',
    operationId: 'listDemoUsers',
    tags: ['auth'],
    summary: 'List the demo users (local mode)',
    description: 'Who the local sign-in page offers; 404 in aws mode.',
    security: PUBLIC,
    responses: { ...ok('The demo users.', OPERATION_RESPONSES.listDemoUsers), ...errors(404) },
  });
  add({
    method: 'get',
    path: '/api/auth/session',
    operationId: 'getSession',
    tags: ['auth'],
    summary: 'Who am I',
    description: 'The signed-in user, the mode, and what the user may do.',
    responses: { ...ok('The session.', OPERATION_RESPONSES.getSession), ...errors(401) },
  });
}

/** The server named by the committed copy of the document (`client/openapi.json`): local mode's default. */
export const CONTRACT_SERVER_URL = 'http://127.0.0.1:3000';

/** The OpenAPI 3.1 document, generated from the zod schemas the handlers validate and answer with. */
export function openApiDocument(serverUrl: string): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A token from POST /api/auth/token (local mode) or PORTAL_API_TOKENS (aws mode).',
  });
  registry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'sep_session',
    description: "The browser's session cookie (mutations also need a same-origin Origin header).",
  });
  registerOperations((route) => registry.registerPath(route));
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Secure Environment Portal API',
      version: '1.0.0',
      description: 'Request, follow, read and destroy secure environments; promote releases to prod.',
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
    },
    servers: [{ url: serverUrl, description: 'This portal' }],
    tags: [
      { name: 'environments', description: 'Request, follow, read and destroy environments.' },
      { name: 'pipeline', description: 'The release pipeline and its prod promotion.' },
      { name: 'audit', description: 'Who did what, when.' },
      { name: 'auth', description: 'Sessions and bearer tokens.' },
    ],
    security: [{ bearer: [] }, { session: [] }],
  });
  stripPatternFlags(document);
  return document;
}

/**
 * zod-to-openapi 9 writes a regex with flags as `source/flags` (it strips only the slashes of
 * `RegExp#toString`), so `/^[\p{L}]*$/u` would be published as a pattern that requires a literal `/u`.
 * JSON Schema patterns are ECMA-262 with Unicode semantics already: keep the source only.
 */
function stripPatternFlags(node: unknown): void {
  if (typeof node !== 'object' || node === null) return;
  for (const [key, item] of Object.entries(node)) {
    if (key === 'pattern' && typeof item === 'string') {
      Reflect.set(node, key, item.replace(/(?<!\\)\/[dgimsuvy]+$/, ''));
    } else {
      stripPatternFlags(item);
    }
  }
}
