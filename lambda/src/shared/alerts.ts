import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

export interface AlertOptions {
  /** Short line for e-mail subscribers (SNS limits subjects to 100 ASCII characters). */
  readonly subject: string;
  /** Facts only: masked values, counts, locations. Never raw PII or secrets. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** Publishes alerts to the environment's SNS topic (`ALERT_TOPIC_ARN`). */
export class AlertPublisher {
  private readonly client: SNSClient;
  private readonly topicArn: string;
  private readonly environmentSuffix: string;

  constructor(options: {
    readonly client: SNSClient;
    readonly topicArn: string;
    readonly environmentSuffix: string;
  }) {
    this.client = options.client;
    this.topicArn = options.topicArn;
    this.environmentSuffix = options.environmentSuffix;
  }

  async publish(options: AlertOptions): Promise<string | undefined> {
    const subject = `[${this.environmentSuffix}] ${options.subject}`
      .replace(/[^\x20-\x7e]/g, ' ')
      .slice(0, 100);
    const result = await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subject,
        Message: JSON.stringify({ environmentSuffix: this.environmentSuffix, ...options.details }, null, 2),
      }),
    );
    return result.MessageId;
  }
}
