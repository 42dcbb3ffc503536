import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EvidenceSigningKey } from './evidence-signing-key';

function synthesize() {
  const stack = new Stack(new App(), 'Evidence', { env: { account: '111111111111', region: 'us-east-1' } });
  new EvidenceSigningKey(stack, 'EvidenceSigning');
  return Template.fromStack(stack);
}

describe('evidence signing key', () => {
  const template = synthesize();

  it('is an ECC P-256 sign/verify key, retained with the stack (earlier signatures stay verifiable)', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
    });
  });

  it('has a key policy of named actions: administration, and only Sign/GetPublicKey delegated to IAM', () => {
    const [key] = Object.values(template.findResources('AWS::KMS::Key'));
    const statements = key?.Properties.KeyPolicy.Statement as { Sid: string; Action: string[] }[];
    for (const statement of statements)
      for (const action of statement.Action) expect(action).not.toMatch(/\*/);
    expect(statements.find((s) => s.Sid === 'DelegateUseToIam')?.Action).toEqual([
      'kms:Sign',
      'kms:GetPublicKey',
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/kms:(Encrypt|Decrypt|Verify)"/);
  });
});
