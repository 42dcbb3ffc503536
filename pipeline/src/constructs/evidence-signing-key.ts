import { KEY_ADMIN_ACTIONS } from '@sep/infra';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** What signing an evidence bundle takes: the signature, and the public key the bundle's verifier uses. */
export const EVIDENCE_SIGNING_ACTIONS = ['kms:Sign', 'kms:GetPublicKey'] as const;

export interface EvidenceSigningKeyProps {
  /** @default no alias */
  readonly alias?: string;
}

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

  constructor(scope: Construct, id: string, props: EvidenceSigningKeyProps = {}) {
    super(scope, id);
    const account = new iam.AccountRootPrincipal();
    this.key = new kms.Key(this, 'Key', {
      description: 'Secure Environment Portal: signs PCI DSS v4.0 evidence bundles (ECDSA P-256)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(props.alias === undefined ? {} : { alias: props.alias }),
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'KeyAdministration',
            principals: [account],
            actions: [...KEY_ADMIN_ACTIONS],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'DelegateSigningToIam',
            principals: [account],
            actions: [...EVIDENCE_SIGNING_ACTIONS],
            resources: ['*'],
          }),
        ],
      }),
    });
  }

  /** Lets `grantee` sign with the key and read its public key: `kms:Sign`, `kms:GetPublicKey`, nothing else. */
  grantSign(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...EVIDENCE_SIGNING_ACTIONS],
      resourceArns: [this.key.keyArn],
    });
  }
}
