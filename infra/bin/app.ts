import { userInfo } from 'node:os';
import { parseEnvironmentSpec } from '@sep/spec';
import { App } from 'aws-cdk-lib';
import { specInputFromContext } from '../src/app-context';
import { SecureEnvironmentStage } from '../src/secure-environment-stage';

// Standalone: `npx cdk synth -c environmentSuffix=pr123 [-c kind=… -c waf=false …]`.
const app = new App();
const parsed = parseEnvironmentSpec(
  specInputFromContext({
    tryGetContext: (key) => app.node.tryGetContext(key),
    defaultOwner: userInfo().username,
  }),
);
if (!parsed.success) {
  // Feature errors come back as `features.waf`; the context key is `waf`.
  const lines = parsed.errors.map(
    (error) => `  -c ${error.path.replace(/^features\./, '')}: ${error.message}`,
  );
  console.error(
    `Invalid environment spec (fix the context values below, nothing was synthesized):\n${lines.join('\n')}`,
  );
  process.exit(2);
}
const { spec } = parsed;
new SecureEnvironmentStage(app, spec.environmentSuffix, {
  spec,
  env: { account: spec.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: spec.region },
});
