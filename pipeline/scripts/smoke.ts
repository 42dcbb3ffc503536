// Post-deploy smoke test of one environment, run by the pipeline's smoke action
// (bundled by the synth step into cdk.out/smoke/smoke.js). Env: API_URL and
// API_KEY_ID from the stage's CfnOutputs; TARGET_ACCOUNT, and SMOKE_ROUTE /
// SMOKE_SKIP when they apply, from the action (smoke-step.ts `smokeEnvironment`).
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { smokeTestRoleArn } from '@sep/spec';
import { z } from 'zod';
import { runSmokeTest } from '../src/smoke/smoke-test';
import { SMOKE_ROUTES, SMOKE_SKIP_PRIVATE } from '../src/smoke/smoke-variables';

const ROUTE_NAMES = Object.keys(SMOKE_ROUTES) as [string, ...string[]];

const env = z
  .object({
    API_URL: z.url({ error: 'API_URL must be the URL of the stage API' }),
    API_KEY_ID: z.string().min(1, { error: 'API_KEY_ID is required' }),
    TARGET_ACCOUNT: z.string().regex(/^\d{12}$/, { error: 'TARGET_ACCOUNT must be a 12-digit account ID' }),
    AWS_REGION: z.string().min(1, { error: 'AWS_REGION is required' }),
    SMOKE_ROUTE: z
      .enum(ROUTE_NAMES, { error: `SMOKE_ROUTE must be one of ${ROUTE_NAMES.join(', ')}` })
      .optional(),
    SMOKE_SKIP: z
      .literal(SMOKE_SKIP_PRIVATE, { error: `SMOKE_SKIP must be ${SMOKE_SKIP_PRIVATE}` })
      .optional(),
  })
  .safeParse(process.env);
if (!env.success) {
  console.error(
    `smoke: ${env.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
  );
  process.exit(2);
}
if (env.data.SMOKE_SKIP === SMOKE_SKIP_PRIVATE) {
  // Reported, not silently passed: the action log and the synth's warning both say so.
  console.log(
    `smoke: SKIPPED: ${env.data.API_URL} is a PRIVATE API, reachable only through the environment's execute-api VPC endpoint, not from this CodeBuild project`,
  );
  process.exit(0);
}
// https://<api-id>.execute-api.<region>.amazonaws.com/<stage>/: the API (and its key) live in the
// environment's region, which may differ from the pipeline's.
const region =
  /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(env.data.API_URL)?.[1] ?? env.data.AWS_REGION;
// The environment's account and region: its smoke-test role reads the key (GetApiKey answers only in
// the key's own account) and signs the calls, and the API's resource policy names that role.
const credentials = fromTemporaryCredentials({
  params: {
    RoleArn: smokeTestRoleArn({ account: env.data.TARGET_ACCOUNT, region }),
    RoleSessionName: 'sep-smoke-test',
  },
  clientConfig: { region: env.data.AWS_REGION },
});
runSmokeTest({
  apiUrl: env.data.API_URL,
  apiKeyId: env.data.API_KEY_ID,
  region,
  credentials,
  apiGateway: new APIGatewayClient({ region, credentials }),
  ...(env.data.SMOKE_ROUTE === undefined ? {} : { route: SMOKE_ROUTES[env.data.SMOKE_ROUTE] }),
}).then(
  (result) => console.log(`smoke: passed (${result.withKey} with key, ${result.withoutKey} without)`),
  (error: unknown) => {
    console.error(`smoke: FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
