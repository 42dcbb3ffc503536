import { randomBytes } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/**
 * One secret's versions and staging labels, served through aws-sdk-client-mock with Secrets
 * Manager's documented semantics: a label is on at most one version, moving AWSCURRENT puts
 * AWSPREVIOUS on the version it left, PutSecretValue is idempotent per ClientRequestToken,
 * and a version lookup that matches nothing is a ResourceNotFoundException.
 */
export class SecretsManagerState {
  readonly secretId: string;
  rotationEnabled = true;
  readonly versions = new Map<string, { secretString: string; stages: Set<string> }>();

  constructor(options: {
    readonly secretId: string;
    readonly initialVersionId: string;
    readonly secretString: string;
  }) {
    this.secretId = options.secretId;
    this.versions.set(options.initialVersionId, {
      secretString: options.secretString,
      stages: new Set(['AWSCURRENT']),
    });
  }

  /** What Secrets Manager does when rotation starts: an empty version labelled AWSPENDING. */
  startRotation(token: string): void {
    this.moveLabel('AWSPENDING', token);
  }

  versionWith(stage: string): string | undefined {
    for (const [id, version] of this.versions) if (version.stages.has(stage)) return id;
    return undefined;
  }

  secretStringOf(stage: string): string | undefined {
    const id = this.versionWith(stage);
    return id === undefined ? undefined : this.versions.get(id)?.secretString;
  }

  private moveLabel(stage: string, to: string): void {
    for (const version of this.versions.values()) version.stages.delete(stage);
    const target = this.versions.get(to) ?? { secretString: '', stages: new Set<string>() };
    target.stages.add(stage);
    this.versions.set(to, target);
  }

  private notFound(message: string): ResourceNotFoundException {
    return new ResourceNotFoundException({ message, $metadata: { httpStatusCode: 400 } });
  }

  /** Routes the mock's commands to this state. */
  serve(mock: AwsClientStub<SecretsManagerClient>): void {
    mock.on(DescribeSecretCommand).callsFake((input: { SecretId?: string }) => {
      this.assertId(input.SecretId);
      return {
        ARN: this.secretId,
        RotationEnabled: this.rotationEnabled,
        VersionIdsToStages: Object.fromEntries(
          [...this.versions].filter(([, v]) => v.stages.size > 0).map(([id, v]) => [id, [...v.stages]]),
        ),
      };
    });
    mock
      .on(GetSecretValueCommand)
      .callsFake((input: { SecretId?: string; VersionId?: string; VersionStage?: string }) => {
        this.assertId(input.SecretId);
        const stage = input.VersionStage ?? (input.VersionId === undefined ? 'AWSCURRENT' : undefined);
        const id = input.VersionId ?? (stage === undefined ? undefined : this.versionWith(stage));
        const version = id === undefined ? undefined : this.versions.get(id);
        if (
          id === undefined ||
          version === undefined ||
          version.secretString === '' ||
          (stage !== undefined && !version.stages.has(stage))
        ) {
          throw this.notFound(
            `Secrets Manager can't find the specified secret value for ${input.VersionId ?? ''} ${stage ?? ''}`,
          );
        }
        return {
          ARN: this.secretId,
          VersionId: id,
          SecretString: version.secretString,
          VersionStages: [...version.stages],
        };
      });
    mock.on(GetRandomPasswordCommand).callsFake((input: { ExcludeCharacters?: string }) => {
      const excluded = new Set(input.ExcludeCharacters ?? '');
      const alphabet = [
        ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-.:;<=>?@[]^_{|}~/"\'\\',
      ].filter((c) => !excluded.has(c));
      const bytes = randomBytes(32);
      return { RandomPassword: [...bytes].map((b) => alphabet[b % alphabet.length]).join('') };
    });
    mock
      .on(PutSecretValueCommand)
      .callsFake(
        (input: {
          SecretId?: string;
          ClientRequestToken?: string;
          SecretString?: string;
          VersionStages?: string[];
        }) => {
          this.assertId(input.SecretId);
          if (input.ClientRequestToken === undefined || input.SecretString === undefined)
            throw new Error('bad PutSecretValue');
          const existing = this.versions.get(input.ClientRequestToken);
          if (
            existing !== undefined &&
            existing.secretString !== '' &&
            existing.secretString !== input.SecretString
          ) {
            throw Object.assign(new Error('version exists with different content'), {
              name: 'ResourceExistsException',
            });
          }
          this.versions.set(input.ClientRequestToken, {
            secretString: input.SecretString,
            stages: existing?.stages ?? new Set(),
          });
          for (const stage of input.VersionStages ?? ['AWSCURRENT'])
            this.moveLabel(stage, input.ClientRequestToken);
          return { ARN: this.secretId, VersionId: input.ClientRequestToken };
        },
      );
    mock
      .on(UpdateSecretVersionStageCommand)
      .callsFake(
        (input: {
          SecretId?: string;
          VersionStage?: string;
          MoveToVersionId?: string;
          RemoveFromVersionId?: string;
        }) => {
          this.assertId(input.SecretId);
          const { VersionStage: stage, MoveToVersionId: to, RemoveFromVersionId: from } = input;
          if (stage === undefined || to === undefined) throw new Error('bad UpdateSecretVersionStage');
          const holder = this.versionWith(stage);
          if (holder !== undefined && holder !== to && holder !== from) {
            throw Object.assign(new Error(`${stage} is attached to ${holder}, not ${from}`), {
              name: 'InvalidParameterException',
            });
          }
          this.moveLabel(stage, to);
          if (stage === 'AWSCURRENT' && holder !== undefined && holder !== to)
            this.moveLabel('AWSPREVIOUS', holder);
          return { ARN: this.secretId };
        },
      );
  }

  private assertId(secretId: string | undefined): void {
    if (secretId !== this.secretId) throw this.notFound(`secret ${secretId} not found`);
  }
}
