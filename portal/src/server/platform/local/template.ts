/** The parts of a CloudFormation template the local platform reads. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, CfnOutput>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | readonly string[];
}

export interface CfnOutput {
  readonly Value: unknown;
  readonly Description?: string;
  readonly Export?: { readonly Name?: unknown };
}

export interface ResourceNode {
  readonly logicalId: string;
  readonly type: string;
  /** Logical ids this resource waits for (DependsOn, Ref, GetAtt, Sub references). */
  readonly dependsOn: readonly string[];
  /** Interface endpoints and VPC functions take longer than their plain kind. */
  readonly variant?: 'interface-endpoint' | 'vpc-function';
}

/** The resource graph: every resource with the resources it must wait for. */
export function resourceGraph(template: CfnTemplate): ResourceNode[] {
  const resources = template.Resources ?? {};
  const ids = new Set(Object.keys(resources));
  return Object.entries(resources).map(([logicalId, resource]) => {
    const deps = new Set<string>();
    const explicit = resource.DependsOn;
    for (const dep of typeof explicit === 'string' ? [explicit] : (explicit ?? [])) deps.add(dep);
    collectReferences(resource.Properties, deps);
    deps.delete(logicalId);
    const variant =
      resource.Type === 'AWS::EC2::VPCEndpoint' && resource.Properties?.VpcEndpointType === 'Interface'
        ? 'interface-endpoint'
        : resource.Type === 'AWS::Lambda::Function' && resource.Properties?.VpcConfig !== undefined
          ? 'vpc-function'
          : undefined;
    return {
      logicalId,
      type: resource.Type,
      dependsOn: [...deps].filter((dep) => ids.has(dep)).sort(),
      ...(variant === undefined ? {} : { variant }),
    };
  });
}

function collectReferences(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, into);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'Ref' && typeof inner === 'string') into.add(inner);
    else if (key === 'Fn::GetAtt') {
      const target = Array.isArray(inner)
        ? inner[0]
        : typeof inner === 'string'
          ? inner.split('.')[0]
          : undefined;
      if (typeof target === 'string') into.add(target);
    } else if (key === 'Fn::Sub') {
      const text = Array.isArray(inner) ? inner[0] : inner;
      if (typeof text === 'string') {
        for (const match of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}/g)) {
          if (match[1] !== undefined) into.add(match[1]);
        }
      }
      if (Array.isArray(inner)) collectReferences(inner[1], into);
    } else collectReferences(inner, into);
  }
}

export const STACK_RESOURCE_TYPE = 'AWS::CloudFormation::Stack';
