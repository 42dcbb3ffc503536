import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { canonicalJson, KmsEvidenceSigner, LocalEvidenceSigner, verifyEvidence } from './signing';

const run = promisify(execFile);
const bundle = {
  environment: { suffix: 'prod', kind: 'prod' },
  requirements: [{ id: '3.5.1', status: 'supported' }],
};
const bytes = () => Buffer.from(canonicalJson(bundle), 'utf8');

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'sep-evidence-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('canonicalJson', () => {
  it('sorts keys at every level and drops whitespace, so key order does not change the signed bytes', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 'x' }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"e":"x","f":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});

describe('LocalEvidenceSigner', () => {
  it('generates one Ed25519 key into the data dir, private key mode 0600, and keeps it', async () => {
    const first = await LocalEvidenceSigner.open(dataDir);
    const again = await LocalEvidenceSigner.open(dataDir);
    expect(await readdir(path.join(dataDir, 'evidence'))).toEqual(['evidence-signing-key.pem']);
    expect(statSync(path.join(dataDir, 'evidence', 'evidence-signing-key.pem')).mode & 0o777).toBe(0o600);
    expect((await again.publicKey()).keyId).toBe((await first.publicKey()).keyId);
    expect((await first.publicKey()).publicKeyPem).not.toMatch(/PRIVATE/);
  });

  it('signs a bundle that verifies, and a tampered bundle or another key does not', async () => {
    const signer = await LocalEvidenceSigner.open(dataDir);
    const signature = await signer.sign(bytes());
    const { publicKeyPem } = await signer.publicKey();
    expect(verifyEvidence(bundle, signature, publicKeyPem)).toBe(true);
    const tampered = { ...bundle, requirements: [{ id: '3.5.1', status: 'failing' }] };
    expect(verifyEvidence(tampered, signature, publicKeyPem)).toBe(false);
    const other = await LocalEvidenceSigner.open(mkdtempSync(path.join(tmpdir(), 'sep-evidence-other-')));
    expect(verifyEvidence(bundle, signature, (await other.publicKey()).publicKeyPem)).toBe(false);
  });

  it('verifies with the openssl command line of the README', async () => {
    const signer = await LocalEvidenceSigner.open(dataDir);
    const signature = await signer.sign(bytes());
    const file = (name: string, content: string | Buffer) => {
      writeFileSync(path.join(dataDir, name), content);
      return path.join(dataDir, name);
    };
    const args = [
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      file('public.pem', (await signer.publicKey()).publicKeyPem),
      '-rawin',
      '-in',
      file('bundle.canonical.json', bytes()),
      '-sigfile',
      file('bundle.sig', Buffer.from(signature.value, 'base64')),
    ];
    await expect(run('openssl', args)).resolves.toMatchObject({
      stdout: expect.stringMatching(/Signature Verified Successfully/),
    });
    file(
      'bundle.canonical.json',
      Buffer.from(canonicalJson({ ...bundle, environment: { suffix: 'prod', kind: 'staging' } })),
    );
    await expect(run('openssl', args)).rejects.toThrow();
  });
});

describe('KmsEvidenceSigner', () => {
  const kms = mockClient(KMSClient);
  afterEach(() => kms.reset());

  it('signs the SHA-256 digest with ECDSA_SHA_256 and verifies with the key KMS publishes', async () => {
    // Stands in for the KMS key: the mock checks it was sent the digest of the bytes, and signs those bytes.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyArn = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    kms.on(SignCommand).callsFake((command) => {
      expect(command).toMatchObject({
        KeyId: 'alias/sep-evidence',
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      });
      expect(Buffer.from(command.Message).equals(createHash('sha256').update(bytes()).digest())).toBe(true);
      return {
        KeyId: keyArn,
        Signature: sign('sha256', bytes(), privateKey),
        SigningAlgorithm: 'ECDSA_SHA_256',
      };
    });
    kms.on(GetPublicKeyCommand, { KeyId: 'alias/sep-evidence' }).resolves({
      KeyId: keyArn,
      PublicKey: publicKey.export({ type: 'spki', format: 'der' }),
    });
    const signer = new KmsEvidenceSigner({
      client: new KMSClient({ region: 'us-east-1' }),
      keyId: 'alias/sep-evidence',
    });
    const signature = await signer.sign(bytes());
    expect(signature).toMatchObject({ algorithm: 'ECDSA_SHA_256', keyId: keyArn });
    const key = await signer.publicKey();
    expect(verifyEvidence(bundle, signature, key.publicKeyPem)).toBe(true);
    expect(verifyEvidence({ ...bundle, requirements: [] }, signature, key.publicKeyPem)).toBe(false);
    await signer.publicKey();
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    // The README's openssl command for a KMS (ECDSA P-256) signature.
    const file = (name: string, content: string | Buffer) => {
      writeFileSync(path.join(dataDir, name), content);
      return path.join(dataDir, name);
    };
    await expect(
      run('openssl', [
        'dgst',
        '-sha256',
        '-verify',
        file('public-key.pem', key.publicKeyPem),
        '-signature',
        file('bundle.sig', Buffer.from(signature.value, 'base64')),
        file('bundle.canonical.json', bytes()),
      ]),
    ).resolves.toMatchObject({ stdout: expect.stringMatching(/Verified OK/) });
  });
});
