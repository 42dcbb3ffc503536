import {
  REQUIRED_ACTIONS as COMPLIANCE_EVALUATOR_ACTIONS,
  RESOURCE_SCOPE as COMPLIANCE_EVALUATOR_SCOPE,
} from '../handlers/compliance-evaluator/permissions';
import {
  REQUIRED_ACTIONS as REMEDIATION_ACTIONS,
  RESOURCE_SCOPE as REMEDIATION_SCOPE,
} from '../handlers/remediation/permissions';
import {
  REQUIRED_ACTIONS as SECRET_ROTATION_ACTIONS,
  RESOURCE_SCOPE as SECRET_ROTATION_SCOPE,
} from '../handlers/secret-rotation/permissions';

/**
 * The IAM actions of the operations handlers in one place, for infra's least-privilege roles
 * (no wildcard actions; `scope` says which resource ARNs each action must be granted on).
 */
export const OPERATIONS_HANDLER_PERMISSIONS = {
  'compliance-evaluator': { actions: COMPLIANCE_EVALUATOR_ACTIONS, scope: COMPLIANCE_EVALUATOR_SCOPE },
  remediation: { actions: REMEDIATION_ACTIONS, scope: REMEDIATION_SCOPE },
  'secret-rotation': { actions: SECRET_ROTATION_ACTIONS, scope: SECRET_ROTATION_SCOPE },
} as const;
