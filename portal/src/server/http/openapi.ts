import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  auditQuerySchema,
  costEstimateRequestSchema,
  createEnvironmentRequestSchema,
  listQuerySchema,
  promotionDecisionSchema,
  signInSchema,
} from '../domain/requests';
import { API_ERROR_CODES } from '../domain/types';

const apiError = z
  .object({
    error: z.object({
      code: z.enum(API_ERROR_CODES),
      message: z.string(),
      fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'ApiError' });

/** Response bodies are the view models of `src/server/domain/types.ts`; named here for reference. */
const view = (id: string, description: string) => z.looseObject({}).meta({ id, description });

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: 'ApiError', content: { 'application/json': { schema: apiError } } },
    ]),
  );
const ok = (description: string, schema: z.ZodType, status = 200) => ({
  [status]: { description, content: { 'application/json': { schema } } },
});
const jsonBody = (schema: z.ZodType) => ({ body: { content: { 'application/json': { schema } } } });
const suffixParams = z.object({ suffix: z.string().meta({ description: 'environmentSuffix' }) });

/** The OpenAPI 3.1 document, generated from the same zod schemas the handlers validate with. */
export function openApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  registry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'sep_session',
  });
  const detail = view('EnvironmentDetail', 'see EnvironmentDetail in src/server/domain/types.ts');
  const request = createEnvironmentRequestSchema.meta({
    id: 'CreateEnvironmentRequest',
    description: 'The shared EnvironmentSpec without owner (the caller owns what it requests).',
  });
  registry.registerPath({
    method: 'get',
    path: '/api/environments',
    request: { query: listQuerySchema },
    responses: {
      ...ok('EnvironmentList', view('EnvironmentList', 'environments with status, cost and permissions')),
      ...errors(400, 401),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/environments',
    request: jsonBody(request),
    responses: { ...ok('created', detail, 201), ...errors(400, 401, 403, 409, 413, 415) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/environments/{suffix}',
    request: { params: suffixParams },
    responses: { ...ok('EnvironmentDetail', detail), ...errors(401, 404) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/environments/{suffix}',
    request: { params: suffixParams },
    responses: { ...ok('destroy started', detail, 202), ...errors(401, 403, 404, 409) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/environments/{suffix}/events',
    request: { params: suffixParams },
    responses: {
      200: {
        description: 'text/event-stream of StreamMessage (snapshot, events, error)',
        content: { 'text/event-stream': { schema: z.string() } },
      },
      ...errors(401, 404),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/environments/{suffix}/outputs',
    request: { params: suffixParams },
    responses: { ...ok('flat-outputs.json', z.record(z.string(), z.string())), ...errors(401, 404, 409) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/environments/{suffix}/compliance',
    request: { params: suffixParams },
    responses: {
      ...ok('ComplianceReport', view('ComplianceReport', 'cdk-nag packs and AWS Config rules')),
      ...errors(401, 404),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/environments/{suffix}/drift',
    request: { params: suffixParams },
    responses: {
      ...ok('DriftReport', view('DriftReport', 'CloudFormation drift detection result')),
      ...errors(401, 403, 404, 409),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/environments/{suffix}/retry',
    description:
      'Deploys a failed environment again through the platform (aws: a new pipeline execution; local: a new synth and rollout). Audited as environment.retry-requested.',
    request: { params: suffixParams },
    responses: {
      ...ok('EnvironmentDetail', detail, 202),
      ...errors(401, 403, 404, 409),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/suffix-availability',
    request: { query: z.object({ suffix: z.string() }) },
    responses: {
      ...ok('SuffixAvailability', view('SuffixAvailability', 'available, or invalid/taken with reasons')),
      ...errors(400, 401),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/cost-estimate',
    request: jsonBody(costEstimateRequestSchema.meta({ id: 'CostEstimateRequest' })),
    responses: {
      ...ok('CostEstimate', view('CostEstimate', 'monthly run rate from the documented price table')),
      ...errors(400, 401, 415),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/pipeline',
    responses: {
      ...ok('PipelineView', view('PipelineView', 'stages, current execution, pending promotion')),
      ...errors(401, 503),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/pipeline/promotion',
    description:
      "Approves or rejects the prod promotion of the release pipeline execution named by executionId (GET /api/pipeline's pendingPromotion.executionId). The decision applies to that execution only: when another execution waits at the approval by now, the answer is 409 and nothing is decided. The audit entry records the execution ID.",
    request: jsonBody(promotionDecisionSchema.meta({ id: 'PromotionDecisionRequest' })),
    responses: {
      ...ok('PipelineView', view('PipelineView', 'after the decision')),
      ...errors(400, 401, 403, 409, 413, 415),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/audit',
    request: { query: auditQuerySchema },
    responses: { ...ok('AuditPage', view('AuditPage', 'newest first')), ...errors(400, 401) },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/auth/sign-in',
    request: jsonBody(signInSchema.meta({ id: 'SignInRequest' })),
    responses: {
      ...ok('Session (local mode)', view('Session', 'the signed-in user')),
      ...errors(400, 403, 404, 415),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/auth/token',
    request: jsonBody(signInSchema),
    responses: {
      ...ok('TokenResponse (local mode)', view('TokenResponse', 'bearer token for scripts')),
      ...errors(400, 404, 415),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/auth/session',
    responses: { ...ok('Session', view('Session', 'the signed-in user')), ...errors(401) },
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Secure Environment Portal API',
      version: '1.0.0',
      description: 'Request, follow, read and destroy secure environments; promote releases to prod.',
    },
    security: [{ bearer: [] }, { session: [] }],
  });
}
