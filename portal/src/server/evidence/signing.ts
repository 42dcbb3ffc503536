import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { z } from 'zod';

export const SIGNATURE_ALGORITHMS = ['Ed25519', 'ECDSA_SHA_256'] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

/**
 * The bytes a signature covers: the bundle as JSON with object keys sorted at every level and no
 * whitespace, UTF-8. Anyone can recompute them from the downloaded JSON (`verify-evidence.ts`).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const evidenceSignatureSchema = z
  .object({
    algorithm: z.enum(SIGNATURE_ALGORITHMS),
    keyId: z
      .string()
      .meta({ description: 'KMS key ARN (aws mode) or sha256 of the public key (local mode)' }),
    value: z.string().meta({ description: 'Base64 signature over canonicalJson(bundle)' }),
    signedBytes: z.literal('canonical-json-sorted-keys-utf8'),
  })
  .meta({ id: 'EvidenceSignature' });
export type EvidenceSignature = z.infer<typeof evidenceSignatureSchema>;

export const evidencePublicKeySchema = z
  .object({
    algorithm: z.enum(SIGNATURE_ALGORITHMS),
    keyId: z.string(),
    publicKeyPem: z.string().meta({ description: 'SubjectPublicKeyInfo, PEM' }),
  })
  .meta({ id: 'EvidencePublicKey', description: 'The key evidence bundles are signed with.' });
export type EvidencePublicKey = z.infer<typeof evidencePublicKeySchema>;

/** Signs evidence bundles: one adapter per mode, the private key never leaves it. */
export interface EvidenceSigner {
  sign(bytes: Uint8Array): Promise<EvidenceSignature>;
  publicKey(): Promise<EvidencePublicKey>;
}

/** Verifies a detached signature over `canonicalJson(bundle)` with the PEM public key. */
export function verifyEvidence(bundle: unknown, signature: EvidenceSignature, publicKeyPem: string): boolean {
  const key = createPublicKey(publicKeyPem);
  const bytes = Buffer.from(canonicalJson(bundle), 'utf8');
  const value = Buffer.from(signature.value, 'base64');
  return verify(signature.algorithm === 'Ed25519' ? null : 'sha256', bytes, key, value);
}

function keyIdOf(publicKey: KeyObject): string {
  return `sha256:${createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')}`;
}

const PRIVATE_KEY_FILE = 'evidence-signing-key.pem';

/**
 * Local mode: an Ed25519 key pair generated once into `<dataDir>/evidence/` (private key file mode
 * 0600, read by this process only; the public key is served by `GET /api/evidence/public-key`).
 */
export class LocalEvidenceSigner implements EvidenceSigner {
  private constructor(
    private readonly privateKeyPem: string,
    private readonly publicKeyObject: KeyObject,
  ) {}

  static async open(dataDir: string): Promise<LocalEvidenceSigner> {
    const directory = path.join(dataDir, 'evidence');
    const file = path.join(directory, PRIVATE_KEY_FILE);
    await mkdir(directory, { recursive: true, mode: 0o700 });
    let pem: string;
    try {
      pem = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      // `wx`: two processes opening at once keep the first key, the second reads it back.
      await writeFile(file, pem, { mode: 0o600, flag: 'wx' }).catch(async (writeError) => {
        if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
        pem = await readFile(file, 'utf8');
      });
    }
    await chmod(file, 0o600);
    return new LocalEvidenceSigner(pem, createPublicKey(pem));
  }

  async sign(bytes: Uint8Array): Promise<EvidenceSignature> {
    return {
      algorithm: 'Ed25519',
      keyId: keyIdOf(this.publicKeyObject),
      value: sign(null, bytes, this.privateKeyPem).toString('base64'),
      signedBytes: 'canonical-json-sorted-keys-utf8',
    };
  }

  async publicKey(): Promise<EvidencePublicKey> {
    return {
      algorithm: 'Ed25519',
      keyId: keyIdOf(this.publicKeyObject),
      publicKeyPem: this.publicKeyObject.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }
}

/**
 * aws mode: a KMS asymmetric key (key spec ECC_NIST_P256, usage SIGN_VERIFY). The bundle exceeds
 * KMS's 4 KB raw-message limit, so the portal sends its SHA-256 digest (`MessageType: DIGEST`),
 * which verifies exactly as a signature over the bytes with ECDSA/SHA-256.
 */
export class KmsEvidenceSigner implements EvidenceSigner {
  private cachedPublicKey: Promise<EvidencePublicKey> | undefined;

  constructor(private readonly options: { readonly client: KMSClient; readonly keyId: string }) {}

  async sign(bytes: Uint8Array): Promise<EvidenceSignature> {
    const digest = createHash('sha256').update(bytes).digest();
    const answer = await this.options.client.send(
      new SignCommand({
        KeyId: this.options.keyId,
        Message: digest,
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (answer.Signature === undefined)
      throw new Error(`KMS returned no signature for key ${this.options.keyId}`);
    return {
      algorithm: 'ECDSA_SHA_256',
      keyId: answer.KeyId ?? this.options.keyId,
      value: Buffer.from(answer.Signature).toString('base64'),
      signedBytes: 'canonical-json-sorted-keys-utf8',
    };
  }

  publicKey(): Promise<EvidencePublicKey> {
    this.cachedPublicKey ??= this.options.client
      .send(new GetPublicKeyCommand({ KeyId: this.options.keyId }))
      .then((answer) => {
        if (answer.PublicKey === undefined)
          throw new Error(`KMS returned no public key for ${this.options.keyId}`);
        const key = createPublicKey({ key: Buffer.from(answer.PublicKey), format: 'der', type: 'spki' });
        return {
          algorithm: 'ECDSA_SHA_256' as const,
          keyId: answer.KeyId ?? this.options.keyId,
          publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString(),
        };
      })
      .catch((error: unknown) => {
        this.cachedPublicKey = undefined;
        throw error;
      });
    return this.cachedPublicKey;
  }
}
