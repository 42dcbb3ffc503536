import { createHash } from 'node:crypto';
import { REGION_AVAILABILITY_ZONES } from '@sep/spec';
import type { CfnResource, CfnTemplate } from './template';

export interface ResolveContext {
  readonly stackName: string;
  readonly region: string;
  readonly account: string;
  readonly environmentSuffix: string;
}

const stableHex = (seed: string, length: number) =>
  createHash('sha256').update(seed).digest('hex').slice(0, length);

const stableAlnum = (seed: string, length: number, upper = false) => {
  const alphabet = upper ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789' : 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = createHash('sha256').update(seed).digest();
  return Array.from({ length }, (_, i) => alphabet[(bytes[i % bytes.length] ?? 0) % alphabet.length]).join(
    '',
  );
};

const stableUuid = (seed: string) => {
  const h = stableHex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/**
 * Resolves CloudFormation intrinsics the way a deployed stack would, with
 * physical ids and attributes shaped like AWS's (deterministic per
 * environment, so a restart shows the same values).
 */
export class TemplateResolver {
  private readonly physicalIds = new Map<string, string>();
  private readonly resolving = new Set<string>();

  constructor(
    private readonly template: CfnTemplate,
    private readonly context: ResolveContext,
  ) {}

  physicalId(logicalId: string): string {
    const known = this.physicalIds.get(logicalId);
    if (known !== undefined) return known;
    const resource = this.template.Resources?.[logicalId];
    if (resource === undefined || this.resolving.has(logicalId)) return logicalId;
    this.resolving.add(logicalId);
    const id = this.computePhysicalId(logicalId, resource);
    this.resolving.delete(logicalId);
    this.physicalIds.set(logicalId, id);
    return id;
  }

  /** The stack's outputs as `describe-stacks` returns them. */
  outputs(): { key: string; value: string; description?: string; exportName?: string }[] {
    return Object.entries(this.template.Outputs ?? {}).map(([key, output]) => {
      const exportName =
        output.Export?.Name === undefined ? undefined : this.resolveString(output.Export.Name);
      return {
        key,
        value: this.resolveString(output.Value),
        ...(output.Description === undefined ? {} : { description: output.Description }),
        ...(exportName === undefined ? {} : { exportName }),
      };
    });
  }

  resolveString(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved === 'string') return resolved;
    if (Array.isArray(resolved)) return resolved.map(String).join(',');
    return typeof resolved === 'object' ? JSON.stringify(resolved) : String(resolved);
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [fn, arg] = entries[0] as [string, unknown];
      switch (fn) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, ...attr] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
          return this.getAtt(id ?? '', attr.join('.'));
        }
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, unknown];
          const list = this.resolve(parts);
          return (Array.isArray(list) ? list : [list])
            .map((part) => this.resolveString(part))
            .join(separator);
        }
        case 'Fn::Sub':
          return this.sub(arg);
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          const resolved = this.resolve(list);
          return Array.isArray(resolved) ? resolved[Number(this.resolve(index))] : resolved;
        }
        case 'Fn::Split': {
          const [separator, source] = arg as [string, unknown];
          return this.resolveString(source).split(separator);
        }
        case 'Fn::GetAZs':
          return [
            ...(REGION_AVAILABILITY_ZONES[this.context.region as keyof typeof REGION_AVAILABILITY_ZONES] ??
              []),
          ];
        case 'Fn::If': {
          const [, whenTrue] = arg as [string, unknown, unknown];
          return this.resolve(whenTrue);
        }
        case 'Fn::FindInMap': {
          const [map, top, second] = (arg as unknown[]).map((part) => this.resolveString(part));
          return this.template.Mappings?.[map ?? '']?.[top ?? '']?.[second ?? ''] ?? '';
        }
        case 'Fn::Base64':
          return Buffer.from(this.resolveString(arg)).toString('base64');
        case 'Fn::ImportValue':
          return `imported:${this.resolveString(arg)}`;
        default:
          break;
      }
    }
    return Object.fromEntries(entries.map(([key, inner]) => [key, this.resolve(inner)]));
  }

  private sub(arg: unknown): string {
    const [text, variables] = Array.isArray(arg)
      ? [String(arg[0]), (arg[1] ?? {}) as Record<string, unknown>]
      : [String(arg), {}];
    return text.replace(/\$\{([^}!]+)\}/g, (_whole, expression: string) => {
      if (expression in variables) return this.resolveString(variables[expression]);
      const [id, ...attr] = expression.split('.');
      return attr.length === 0
        ? this.resolveString(this.ref(id ?? ''))
        : this.resolveString(this.getAtt(id ?? '', attr.join('.')));
    });
  }

  private ref(name: string): unknown {
    const { region, account, stackName } = this.context;
    switch (name) {
      case 'AWS::Region':
        return region;
      case 'AWS::AccountId':
        return account;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/${stableUuid(stackName)}`;
      case 'AWS::NoValue':
        return '';
      default:
        break;
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter !== undefined) return this.resolve(parameter.Default ?? '');
    const resource = this.template.Resources?.[name];
    if (resource === undefined) return name;
    const id = this.physicalId(name);
    // Resources whose Ref is an ARN rather than a name.
    if (resource.Type === 'AWS::SNS::Topic') return `arn:aws:sns:${region}:${account}:${id}`;
    if (resource.Type === 'AWS::SecretsManager::Secret') return this.arn(name, resource.Type, id);
    if (resource.Type === 'AWS::SQS::Queue') return `https://sqs.${region}.amazonaws.com/${account}/${id}`;
    return id;
  }

  private getAtt(logicalId: string, attribute: string): unknown {
    const resource = this.template.Resources?.[logicalId];
    if (resource === undefined) return `${logicalId}.${attribute}`;
    const id = this.physicalId(logicalId);
    const { region } = this.context;
    switch (attribute) {
      case 'Arn':
      case 'TopicArn':
      case 'KeyArn':
      case 'WebACLArn':
        return this.arn(logicalId, resource.Type, id);
      case 'RootResourceId':
        return stableAlnum(`${logicalId}/root`, 10);
      case 'Endpoint.Address':
        return `${id}.cluster-${stableAlnum(this.context.account, 12)}.${region}.rds.amazonaws.com`;
      case 'ReadEndpoint.Address':
        return `${id}.cluster-ro-${stableAlnum(this.context.account, 12)}.${region}.rds.amazonaws.com`;
      case 'Endpoint.Port':
        return '3306';
      case 'DomainName':
      case 'RegionalDomainName':
        return `${id}.s3.${region}.amazonaws.com`;
      case 'CidrBlock':
        return '10.0.0.0/16';
      case 'GroupId':
      case 'VpcId':
        return id;
      case 'Name':
      case 'TopicName':
      case 'QueueName':
        return id;
      case 'QueueUrl':
        return this.ref(logicalId);
      case 'Id':
        return stableUuid(`${logicalId}/id`);
      default:
        return `${id}/${attribute}`;
    }
  }

  private arn(logicalId: string, type: string, id: string): string {
    const { region, account } = this.context;
    switch (type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${id}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${account}:function:${id}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${id}`;
      case 'AWS::IAM::ManagedPolicy':
        return id;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${region}:${account}:key/${id}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${account}:${id}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${account}:${id}`;
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${region}:${account}:table/${id}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${account}:log-group:${id}:*`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${region}:${account}:secret:${id}-${stableAlnum(`${logicalId}/secret`, 6, false)}`;
      case 'AWS::WAFv2::WebACL':
        return `arn:aws:wafv2:${region}:${account}:regional/webacl/${id}/${stableUuid(`${logicalId}/acl`)}`;
      case 'AWS::RDS::DBCluster':
        return `arn:aws:rds:${region}:${account}:cluster:${id}`;
      case 'AWS::Events::Rule':
        return `arn:aws:events:${region}:${account}:rule/${id}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${account}:stateMachine:${id}`;
      default: {
        const [, service = 'unknown', kind = 'resource'] = type.split('::');
        return `arn:aws:${service.toLowerCase()}:${region}:${account}:${kind.toLowerCase()}/${id}`;
      }
    }
  }

  private literal(resource: CfnResource, property: string): string | undefined {
    const value = resource.Properties?.[property];
    if (value === undefined) return undefined;
    const resolved = this.resolve(value);
    return typeof resolved === 'string' && resolved !== '' ? resolved : undefined;
  }

  private computePhysicalId(logicalId: string, resource: CfnResource): string {
    const seed = `${this.context.environmentSuffix}/${logicalId}`;
    const generated = (limit: number, lower = false) => {
      const base = `${this.context.stackName}-${logicalId.slice(0, 40)}`;
      const name = `${base.slice(0, limit - 14)}-${stableAlnum(seed, 12, !lower)}`;
      return lower ? name.toLowerCase() : name;
    };
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
        return this.literal(resource, 'BucketName') ?? generated(63, true);
      case 'AWS::Lambda::Function':
        return this.literal(resource, 'FunctionName') ?? generated(64);
      case 'AWS::IAM::Role':
        return this.literal(resource, 'RoleName') ?? generated(64);
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${this.context.account}:policy/${this.literal(resource, 'ManagedPolicyName') ?? generated(128)}`;
      case 'AWS::KMS::Key':
        return stableUuid(seed);
      case 'AWS::KMS::Alias':
        return this.literal(resource, 'AliasName') ?? `alias/${logicalId}`;
      case 'AWS::DynamoDB::Table':
        return this.literal(resource, 'TableName') ?? generated(255);
      case 'AWS::Logs::LogGroup':
        return this.literal(resource, 'LogGroupName') ?? generated(512);
      case 'AWS::SNS::Topic':
        return this.literal(resource, 'TopicName') ?? generated(256);
      case 'AWS::SQS::Queue':
        return this.literal(resource, 'QueueName') ?? generated(80);
      case 'AWS::SecretsManager::Secret':
        return this.literal(resource, 'Name') ?? generated(512);
      case 'AWS::WAFv2::WebACL':
      case 'AWS::NetworkFirewall::Firewall':
      case 'AWS::Config::ConfigRule':
      case 'AWS::Events::Rule':
        return (
          this.literal(resource, 'Name') ??
          this.literal(resource, 'FirewallName') ??
          this.literal(resource, 'ConfigRuleName') ??
          generated(64)
        );
      case 'AWS::CloudWatch::Alarm':
        return this.literal(resource, 'AlarmName') ?? generated(255);
      case 'AWS::RDS::DBCluster':
        return this.literal(resource, 'DBClusterIdentifier') ?? generated(63, true);
      case 'AWS::SSM::Parameter':
        return this.literal(resource, 'Name') ?? `CFN-${logicalId}-${stableAlnum(seed, 12, true)}`;
      case 'AWS::ApiGateway::RestApi':
      case 'AWS::ApiGateway::Resource':
      case 'AWS::ApiGateway::Deployment':
        return stableAlnum(seed, 10);
      case 'AWS::ApiGateway::ApiKey':
      case 'AWS::ApiGateway::UsagePlan':
        return stableAlnum(seed, 10);
      case 'AWS::ApiGateway::Stage':
        return this.literal(resource, 'StageName') ?? 'prod';
      case 'AWS::EC2::VPC':
        return `vpc-${stableHex(seed, 17)}`;
      case 'AWS::EC2::Subnet':
        return `subnet-${stableHex(seed, 17)}`;
      case 'AWS::EC2::SecurityGroup':
        return `sg-${stableHex(seed, 17)}`;
      case 'AWS::EC2::RouteTable':
        return `rtb-${stableHex(seed, 17)}`;
      case 'AWS::EC2::VPCEndpoint':
        return `vpce-${stableHex(seed, 17)}`;
      case 'AWS::EC2::NatGateway':
        return `nat-${stableHex(seed, 17)}`;
      case 'AWS::EC2::InternetGateway':
        return `igw-${stableHex(seed, 17)}`;
      case 'AWS::EC2::FlowLog':
        return `fl-${stableHex(seed, 17)}`;
      default:
        return generated(128);
    }
  }
}

/** The id a stack gives a resource class in events (`AWS::CloudFormation::Stack` for the stack itself). */
