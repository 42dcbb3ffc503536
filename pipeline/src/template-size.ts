import { statSync } from 'node:fs';
import { CLOUDFORMATION_QUOTAS, QuotaExceededError } from '@sep/registry/quotas';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

export interface TemplateSize {
  readonly stackName: string;
  readonly bytes: number;
}

/** Sizes of the top-level stack templates as written (what the CLI uploads through S3). */
export function templateSizes(assembly: CloudAssembly): TemplateSize[] {
  return assembly.stacks.map((stack) => ({
    stackName: stack.stackName,
    bytes: statSync(stack.templateFullPath).size,
  }));
}

/**
 * Fails when a template passes CloudFormation's 1 MB limit for templates
 * uploaded through S3, with the figure and how many environments would fit.
 * The pipeline stack grows with every environment (its pipeline definition
 * declares three actions each), so this, not CodePipeline's stage limit, is
 * what first bounds one pipeline's environments.
 */
export function assertTemplateSizes(options: {
  readonly assembly: CloudAssembly;
  /** Environments in the pipeline, for the capacity estimate. */
  readonly environments: number;
  /** @default CLOUDFORMATION_QUOTAS.maxTemplateBytes */
  readonly maxBytes?: number;
}): TemplateSize[] {
  const maxBytes = options.maxBytes ?? CLOUDFORMATION_QUOTAS.maxTemplateBytes;
  const sizes = templateSizes(options.assembly);
  const over = sizes.filter((size) => size.bytes > maxBytes);
  if (over.length > 0) {
    const details = over
      .map((size) => {
        const perEnvironment = options.environments > 0 ? size.bytes / options.environments : size.bytes;
        const fit = Math.floor(maxBytes / perEnvironment);
        return `${size.stackName} is ${size.bytes} bytes with ${options.environments} environments (about ${Math.round(perEnvironment)} bytes each, so roughly ${fit} fit)`;
      })
      .join('; ');
    throw new QuotaExceededError(
      `template over CloudFormation's limit of ${maxBytes} bytes per template: ${details}. Destroy environments or split them across pipelines.`,
    );
  }
  return sizes;
}
