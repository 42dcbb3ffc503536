import { createHmac } from 'node:crypto';
import type { LocalApi, LocalApiKey } from '@sep/pipeline/local-aws';
import type { CfnTemplate } from './template';
import type { TemplateResolver } from './template-resolver';

/** The REST APIs and API keys a deployed template holds, as API Gateway would serve them. */
export interface DeployedApis {
  readonly apis: readonly LocalApi[];
  readonly keys: readonly LocalApiKey[];
}

interface Props {
  readonly [key: string]: unknown;
}

/**
 * Reads the API Gateway resources of a template — REST API, stage, resources and methods with their
 * authorization type and API-key requirement, API keys and the usage plans that tie them to stages —
 * with physical IDs from the same resolver that produces the stack's outputs (so the API key ID the
 * smoke action reads is the one the outputs show). A key whose value CloudFormation would resolve from
 * Secrets Manager gets a value derived from `keySecret` (never shown, never stored).
 */
export function deployedApis(options: {
  readonly template: CfnTemplate;
  readonly resolver: TemplateResolver;
  readonly region: string;
  readonly keySecret: string;
}): DeployedApis {
  const { template, resolver } = options;
  const resources = template.Resources ?? {};
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const props = (logicalId: string): Props => (resources[logicalId]?.Properties ?? {}) as Props;
  const refOf = (value: unknown): string | undefined => {
    if (value !== null && typeof value === 'object') {
      if ('Ref' in value && typeof value.Ref === 'string') return value.Ref;
      const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
    }
    return undefined;
  };

  /** `/documents/{documentId}/findings` for a resource id; `` for the root. */
  const pathOf = (resourceRef: unknown, seen = new Set<string>()): string => {
    const id = refOf(resourceRef);
    if (id === undefined || resources[id]?.Type !== 'AWS::ApiGateway::Resource' || seen.has(id)) return '';
    seen.add(id);
    const { ParentId: parent, PathPart: part } = props(id);
    return `${pathOf(parent, seen)}/${String(part)}`;
  };

  const keys = ofType('AWS::ApiGateway::ApiKey').map(([logicalId, resource]): LocalApiKey => {
    const id = resolver.physicalId(logicalId);
    const literal = resource.Properties?.Value;
    return {
      id,
      value:
        typeof literal === 'string' && literal !== ''
          ? literal
          : createHmac('sha256', options.keySecret).update(id).digest('base64url').slice(0, 40),
      enabled: resource.Properties?.Enabled !== false,
    };
  });
  const keyIdsOfPlan = new Map<string, string[]>();
  for (const [, planKey] of ofType('AWS::ApiGateway::UsagePlanKey')) {
    const plan = refOf(planKey.Properties?.UsagePlanId);
    const key = refOf(planKey.Properties?.KeyId);
    if (plan === undefined || key === undefined) continue;
    keyIdsOfPlan.set(plan, [...(keyIdsOfPlan.get(plan) ?? []), resolver.physicalId(key)]);
  }

  const apis = ofType('AWS::ApiGateway::RestApi').map(([apiLogicalId]): LocalApi => {
    const stage = ofType('AWS::ApiGateway::Stage').find(
      ([, s]) => refOf(s.Properties?.RestApiId) === apiLogicalId,
    );
    const stageName = stage === undefined ? 'prod' : resolver.physicalId(stage[0]);
    const methods = ofType('AWS::ApiGateway::Method')
      .filter(([, method]) => refOf(method.Properties?.RestApiId) === apiLogicalId)
      .map(([, method]) => {
        const p = (method.Properties ?? {}) as Props;
        return {
          path: pathOf(p.ResourceId) || '/',
          httpMethod: String(p.HttpMethod),
          apiKeyRequired: p.ApiKeyRequired === true,
          authorizationType: String(p.AuthorizationType ?? 'NONE'),
        };
      })
      .filter((method) => method.httpMethod !== 'OPTIONS');
    const plans = ofType('AWS::ApiGateway::UsagePlan').filter(([, plan]) =>
      (plan.Properties?.ApiStages as { ApiId?: unknown }[] | undefined)?.some(
        (apiStage) => refOf(apiStage.ApiId) === apiLogicalId,
      ),
    );
    return {
      apiId: resolver.physicalId(apiLogicalId),
      stageName,
      region: options.region,
      methods,
      apiKeyIds: plans.flatMap(([planId]) => keyIdsOfPlan.get(planId) ?? []),
    };
  });
  return { apis, keys };
}
