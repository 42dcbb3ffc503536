// Test support: a complete portal hosting configuration in the test pipeline's account and region.
import type { PortalHostingConfig } from '../portal/portal-context';

export const HOSTING: PortalHostingConfig = {
  domainName: 'portal.bank.example',
  certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/0e7b5b9a-1111-2222-3333-444455556666',
  oidcIssuer: 'https://login.bank.example',
  oidcClientId: 'sep-portal',
  sessionSecretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:sep/portal/session-AbCdEf',
  oidcClientSecretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:sep/portal/oidc-AbCdEf',
  apiTokensSecretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:sep/portal/tokens-AbCdEf',
  secretsKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/0e7b5b9a-1111-2222-3333-444455556666',
};
