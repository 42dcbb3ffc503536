import { z } from 'zod';
import { environmentComparisonSchema } from '../domain/comparison';
import {
  auditPageSchema,
  complianceReportSchema,
  driftReportSchema,
  pipelineViewSchema,
} from '../domain/operations-view-schemas';
import { promotionPreviewSchema } from '../domain/promotion-preview-schemas';
import {
  costEstimateSchema,
  demoUserSchema,
  environmentDetailSchema,
  environmentListSchema,
  flatOutputsSchema,
  sessionSchema,
  suffixAvailabilitySchema,
  tokenResponseSchema,
} from '../domain/view-schemas';
import { signedEvidenceSchema } from '../evidence/evidence-service';
import { evidencePublicKeySchema } from '../evidence/signing';
import { json } from './errors';

/**
 * The success body of each documented operation, by operationId: `openapi.ts` publishes these, and route
 * handlers answer through `answer()`, so a handler's body is the document's (checked by the compiler).
 */
export const OPERATION_RESPONSES = {
  listEnvironments: environmentListSchema,
  createEnvironment: environmentDetailSchema,
  getEnvironment: environmentDetailSchema,
  compareEnvironments: environmentComparisonSchema,
  destroyEnvironment: environmentDetailSchema,
  getEnvironmentOutputs: flatOutputsSchema,
  getEnvironmentCompliance: complianceReportSchema,
  getEnvironmentEvidence: signedEvidenceSchema,
  getEvidencePublicKey: evidencePublicKeySchema,
  detectEnvironmentDrift: driftReportSchema,
  retryEnvironment: environmentDetailSchema,
  checkSuffixAvailability: suffixAvailabilitySchema,
  estimateCost: costEstimateSchema,
  getPipeline: pipelineViewSchema,
  decidePromotion: pipelineViewSchema,
  getPromotionPreview: promotionPreviewSchema,
  listAuditEntries: auditPageSchema,
  signIn: sessionSchema,
  issueToken: tokenResponseSchema,
  listDemoUsers: z.array(demoUserSchema).readonly(),
  getSession: sessionSchema,
} as const satisfies Record<string, z.ZodType>;

export type OperationId = keyof typeof OPERATION_RESPONSES;
export type ResponseBody<Operation extends OperationId> = z.output<(typeof OPERATION_RESPONSES)[Operation]>;

/** The JSON success answer of `operation`; its body must be the type the OpenAPI document publishes. */
export function answer<Operation extends OperationId>(
  operation: Operation,
  body: ResponseBody<Operation>,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  void operation; // names the contract at the call site; the compiler checks `body` against it
  return json(body, init);
}
