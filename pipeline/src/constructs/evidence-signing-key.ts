import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { accountKeyPolicyStatements } from './platform-key';

/** What signing an evidence bundle takes: the signature, and the public key the bundle's verifier uses. */
export const EVIDENCE_SIGNING_ACTIONS = ['kms:Sign', 'kms:GetPublicKey'] as const;

/**
 * The asymmetric key (ECC_NIST_P256, sign and verify only) the portal signs PCI DSS evidence bundles with
 * in aws mode (`ECDSA_SHA_256`, README "verify"). The private half never leaves KMS; anyone holding the
 * public key checks a bundle offline years later, so the key is retained with the stack and never
 * rotated (KMS cannot rotate asymmetric keys; a new key would orphan every earlier signature's
 * `GetPublicKey`). Its policy is the account's administration and use delegated to IAM for the two
 * signing calls only: no principal may encrypt, decrypt or verify-in-KMS through this policy.
 */
export class EvidenceSigningKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Secure Environment Portal: signs PCI DSS v4.0 evidence bundles (ECDSA P-256)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({ statements: accountKeyPolicyStatements(EVIDENCE_SIGNING_ACTIONS) }),
    });
  }
}
