import { z } from 'zod';
import { ValidationError, zodFieldErrors } from '../../shared/errors';

/**
 * The event AWS Config sends a custom Lambda rule. `invokingEvent` is a JSON string whose
 * `messageType` says whether the configuration item is inline or, when it exceeds Config's
 * size limit, only summarised (then the rule reads it with GetResourceConfigHistory).
 */

const ruleEventSchema = z.object({
  invokingEvent: z.string().min(2),
  resultToken: z.string().min(1),
  configRuleName: z.string().min(1),
  /** True when the resource left the rule's scope (e.g. its Environment tag changed). */
  eventLeftScope: z.boolean().default(false),
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
});

/** The fields of a configuration item this rule reads, as Config puts them in `invokingEvent`. */
export const configurationItemSchema = z.object({
  resourceType: z.string().min(1),
  resourceId: z.string().min(1),
  resourceName: z.string().nullish(),
  ARN: z.string().nullish(),
  configurationItemStatus: z.string().min(1),
  configurationItemCaptureTime: z.string().min(1),
  configuration: z.record(z.string(), z.unknown()).nullish(),
  supplementaryConfiguration: z.record(z.string(), z.unknown()).nullish(),
  tags: z.record(z.string(), z.string()).nullish(),
});
export type ConfigurationItem = z.output<typeof configurationItemSchema>;

const summarySchema = z.object({
  resourceType: z.string().min(1),
  resourceId: z.string().min(1),
  configurationItemCaptureTime: z.string().min(1),
  configurationItemStatus: z.string().min(1),
});
export type ConfigurationItemSummary = z.output<typeof summarySchema>;

const invokingEventSchema = z.discriminatedUnion('messageType', [
  z.object({
    messageType: z.literal('ConfigurationItemChangeNotification'),
    configurationItem: configurationItemSchema,
  }),
  z.object({
    messageType: z.literal('OversizedConfigurationItemChangeNotification'),
    configurationItemSummary: summarySchema,
  }),
]);

export type ConfigRuleRequest = {
  readonly resultToken: string;
  readonly configRuleName: string;
  readonly eventLeftScope: boolean;
} & (
  | { readonly messageType: 'ConfigurationItemChangeNotification'; readonly item: ConfigurationItem }
  | {
      readonly messageType: 'OversizedConfigurationItemChangeNotification';
      readonly summary: ConfigurationItemSummary;
    }
);

/** Validates the whole event before any AWS call; throws ValidationError naming every bad field. */
export function parseConfigRuleEvent(event: unknown): ConfigRuleRequest {
  const outer = ruleEventSchema.safeParse(event);
  if (!outer.success) {
    throw new ValidationError('invalid AWS Config rule event', zodFieldErrors(outer.error.issues));
  }
  let invoking: unknown;
  try {
    invoking = JSON.parse(outer.data.invokingEvent);
  } catch {
    throw new ValidationError('invalid AWS Config rule event', [
      { path: 'invokingEvent', message: 'must be a JSON document' },
    ]);
  }
  const inner = invokingEventSchema.safeParse(invoking);
  if (!inner.success) {
    const fields = zodFieldErrors(inner.error.issues).map((field) => ({
      path: field.path === '' ? 'invokingEvent' : `invokingEvent.${field.path}`,
      message:
        field.path === 'messageType'
          ? 'must be a configuration-change notification (this rule is change-triggered)'
          : field.message,
    }));
    throw new ValidationError('invalid AWS Config rule event', fields);
  }
  const common = {
    resultToken: outer.data.resultToken,
    configRuleName: outer.data.configRuleName,
    eventLeftScope: outer.data.eventLeftScope,
  };
  return inner.data.messageType === 'ConfigurationItemChangeNotification'
    ? { ...common, messageType: inner.data.messageType, item: inner.data.configurationItem }
    : { ...common, messageType: inner.data.messageType, summary: inner.data.configurationItemSummary };
}
