import { KMSClient } from '@aws-sdk/client-kms';
import { z } from 'zod';
import type { PortalConfig } from '../config';
import type { EnvironmentService } from '../domain/environment-service';
import { conflict } from '../domain/errors';
import type { User } from '../domain/types';
import { buildEvidenceBundle, evidenceBundleSchema } from './bundle';
import {
  canonicalJson,
  type EvidencePublicKey,
  type EvidenceSigner,
  evidenceSignatureSchema,
  KmsEvidenceSigner,
  LocalEvidenceSigner,
} from './signing';

export const signedEvidenceSchema = z
  .object({ bundle: evidenceBundleSchema, signature: evidenceSignatureSchema })
  .meta({
    id: 'SignedEvidenceBundle',
    description:
      'The bundle and a detached signature over canonicalJson(bundle); verify with `npm run verify-evidence -w @sep/portal -- <file>` (portal/README).',
  });
export type SignedEvidence = z.infer<typeof signedEvidenceSchema>;

/** The signer of the configured mode, or why there is none. */
export async function createEvidenceSigner(config: PortalConfig): Promise<EvidenceSigner | string> {
  if (config.mode === 'local') return LocalEvidenceSigner.open(config.dataDir);
  const keyId = config.aws.evidenceSigningKeyId;
  if (keyId === undefined)
    return 'PORTAL_EVIDENCE_KMS_KEY_ID is not set: aws mode signs evidence with a KMS key';
  return new KmsEvidenceSigner({
    client: new KMSClient(config.aws.region === undefined ? {} : { region: config.aws.region }),
    keyId,
  });
}

/**
 * PCI DSS v4.0 evidence of one environment: what the environment service already returns (its detail
 * and compliance report) mapped to requirements, then signed.
 */
export class EvidenceService {
  constructor(
    private readonly options: {
      readonly environments: Pick<EnvironmentService, 'get' | 'compliance' | 'provenance'>;
      readonly mode: PortalConfig['mode'];
      /** A signer, or why none is configured. */
      readonly signer: EvidenceSigner | string;
      readonly now?: () => Date;
    },
  ) {}

  async signedBundle(user: User, environmentSuffix: string): Promise<SignedEvidence> {
    const signer = this.signer();
    const detail = await this.options.environments.get(user, environmentSuffix);
    const [compliance, provenance] = await Promise.all([
      this.options.environments.compliance(environmentSuffix),
      this.options.environments.provenance(environmentSuffix),
    ]);
    const bundle = buildEvidenceBundle({
      detail,
      compliance,
      provenance,
      mode: this.options.mode,
      generatedAt: (this.options.now ?? (() => new Date()))(),
    });
    const signature = await signer.sign(Buffer.from(canonicalJson(bundle), 'utf8'));
    return { bundle, signature };
  }

  publicKey(): Promise<EvidencePublicKey> {
    return this.signer().publicKey();
  }

  private signer(): EvidenceSigner {
    const { signer } = this.options;
    if (typeof signer === 'string') throw conflict(signer);
    return signer;
  }
}
