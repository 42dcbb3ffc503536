import {
  type ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  type ResourceType,
} from '@aws-sdk/client-config-service';
import type { ConfigurationItem, ConfigurationItemSummary } from './config-event';

/**
 * Reads the configuration item an oversized notification only summarises. The API returns
 * `configuration` and each supplementary value as JSON strings, and names the ARN `arn`;
 * they are converted to the shape Config uses inline so one evaluator serves both paths.
 */
export async function fetchConfigurationItem(options: {
  readonly client: ConfigServiceClient;
  readonly summary: ConfigurationItemSummary;
}): Promise<ConfigurationItem> {
  const { summary } = options;
  const result = await options.client.send(
    new GetResourceConfigHistoryCommand({
      resourceType: summary.resourceType as ResourceType,
      resourceId: summary.resourceId,
      laterTime: new Date(summary.configurationItemCaptureTime),
      limit: 1,
    }),
  );
  const item = result.configurationItems?.[0];
  if (item === undefined) {
    throw new Error(
      `GetResourceConfigHistory returned no configuration item for ${summary.resourceType} ${summary.resourceId}`,
    );
  }
  const supplementary: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item.supplementaryConfiguration ?? {})) {
    supplementary[key] = parseJsonOrKeep(value);
  }
  const configuration = item.configuration === undefined ? null : parseJsonOrKeep(item.configuration);
  return {
    resourceType: item.resourceType ?? summary.resourceType,
    resourceId: item.resourceId ?? summary.resourceId,
    resourceName: item.resourceName ?? null,
    ARN: item.arn ?? null,
    configurationItemStatus: item.configurationItemStatus ?? summary.configurationItemStatus,
    configurationItemCaptureTime:
      item.configurationItemCaptureTime?.toISOString() ?? summary.configurationItemCaptureTime,
    configuration:
      typeof configuration === 'object' && configuration !== null && !Array.isArray(configuration)
        ? (configuration as Record<string, unknown>)
        : null,
    supplementaryConfiguration: supplementary,
    tags: item.tags ?? {},
  };
}

function parseJsonOrKeep(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
