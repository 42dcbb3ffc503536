import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { nagCheckedStack, testKey, unsuppressedFindings } from './governance-test-kit';
import { DatabaseSecret } from './secrets';

const rotationFunction = (stack: ReturnType<typeof nagCheckedStack>) =>
  lambda.Function.fromFunctionAttributes(stack, 'Rotation', {
    functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:sep-pr123-secret-rotation',
    role: iam.Role.fromRoleArn(
      stack,
      'RotationRole',
      'arn:aws:iam::111111111111:role/sep-pr123-secret-rotation',
      {
        mutable: true,
      },
    ),
    sameEnvironment: true,
  });

describe('DatabaseSecret (created)', () => {
  const stack = nagCheckedStack();
  const key = testKey(stack, 'SecretsKey');
  const reader = iam.Role.fromRoleArn(
    stack,
    'Reader',
    'arn:aws:iam::111111111111:role/sep-pr123-document-api',
  );
  const created = new DatabaseSecret(stack, 'Db', {
    environmentSuffix: 'pr123',
    kind: 'prod',
    encryptionKey: key,
    rotationFunction: rotationFunction(stack),
    readerRoles: [reader],
  });
  const template = Template.fromStack(stack);

  it('creates a named secret encrypted with the secrets CMK, with a generated password', () => {
    expect(created.imported).toBe(false);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'sep/pr123/database/master',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecretsKey'), 'Arn'] },
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: '{"username":"sepadmin"}',
        GenerateStringKey: 'password',
        PasswordLength: 32,
      }),
    });
  });

  it('retains the secret in prod', () => {
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });

  it('rotates every 30 days with the rotation function, which Secrets Manager may invoke', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^DbSecret') },
      RotationLambdaARN: 'arn:aws:lambda:us-east-1:111111111111:function:sep-pr123-secret-rotation',
      RotationRules: { AutomaticallyAfterDays: 30 },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: '111111111111',
    });
  });

  it('gives the rotation role only this secret and the key through Secrets Manager, in a managed policy', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: ['sep-pr123-secret-rotation'],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'secretsmanager:DescribeSecret',
              'secretsmanager:GetSecretValue',
              'secretsmanager:PutSecretValue',
              'secretsmanager:UpdateSecretVersionStage',
            ],
            Resource: { Ref: Match.stringLikeRegexp('^DbSecret') },
          },
          { Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
          },
        ],
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  it('denies reading or changing the value to every principal but the named roles and the deployment role', () => {
    const policy = Object.values(template.findResources('AWS::SecretsManager::ResourcePolicy'))[0];
    const [statement] = (policy?.Properties.ResourcePolicy.Statement ?? []) as Array<{
      Condition: { ArnNotLike: Record<string, unknown> };
    }>;
    expect(statement).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
    });
    const allowed = JSON.stringify(statement?.Condition.ArnNotLike['aws:PrincipalArn']);
    expect(allowed).toContain('arn:aws:iam::111111111111:role/sep-pr123-document-api');
    expect(allowed).toContain('arn:aws:iam::111111111111:role/sep-pr123-secret-rotation');
    expect(allowed).toContain('cfn-exec-role');
  });

  it('leaves no unsuppressed AwsSolutions, PCIDSS321 or NIST80053R5 finding', () => {
    expect(unsuppressedFindings(stack)).toEqual([]);
  });
});

describe('DatabaseSecret (imported)', () => {
  const arn = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:team/db/master-AbCdEf';

  it('creates nothing and leaves the policy and rotation to the owner', () => {
    const stack = nagCheckedStack();
    const imported = new DatabaseSecret(stack, 'Db', {
      environmentSuffix: 'pr123',
      kind: 'ephemeral',
      encryptionKey: testKey(stack, 'SecretsKey'),
      existingSecretArn: arn,
      rotationFunction: rotationFunction(stack),
    });
    const template = Template.fromStack(stack);
    expect(imported.imported).toBe(true);
    expect(imported.secret.secretArn).toBe(arn);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    expect(unsuppressedFindings(stack)).toEqual([]);
  });

  it('rotates the imported secret only when asked', () => {
    const stack = nagCheckedStack();
    new DatabaseSecret(stack, 'Db', {
      environmentSuffix: 'pr123',
      kind: 'ephemeral',
      encryptionKey: testKey(stack, 'SecretsKey'),
      existingSecretArn: arn,
      rotationFunction: rotationFunction(stack),
      rotateImportedSecret: true,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: arn,
      RotationRules: { AutomaticallyAfterDays: 30 },
    });
  });
});

describe('DatabaseSecret (ephemeral, no rotation function)', () => {
  it('is destroyed with the stack', () => {
    const stack = nagCheckedStack();
    new DatabaseSecret(stack, 'Db', {
      environmentSuffix: 'pr123',
      kind: 'ephemeral',
      encryptionKey: testKey(stack, 'SecretsKey'),
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    expect(unsuppressedFindings(stack)).toEqual([]);
  });
});
