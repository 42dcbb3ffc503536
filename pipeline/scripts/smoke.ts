// Post-deploy smoke test of one environment, run by the pipeline's smoke action
// (bundled by the synth step into cdk.out/smoke/smoke.js). Env: API_URL and
// API_KEY_ID from the stage's CfnOutputs, AWS_REGION from CodeBuild.
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { z } from 'zod';
import { runSmokeTest } from '../src/smoke/smoke-test';

const env = z
  .object({
    API_URL: z.url({ error: 'API_URL must be the URL of the stage API' }),
    API_KEY_ID: z.string().min(1, { error: 'API_KEY_ID is required' }),
    AWS_REGION: z.string().min(1, { error: 'AWS_REGION is required' }),
  })
  .safeParse(process.env);

if (!env.success) {
  console.error(
    `smoke: ${env.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
  );
  process.exit(2);
}

// https://<api-id>.execute-api.<region>.amazonaws.com/<stage>/: the API (and its key) live in the
// environment's region, which may differ from the pipeline's.
const region =
  /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(env.data.API_URL)?.[1] ?? env.data.AWS_REGION;
const credentials = defaultProvider();
runSmokeTest({
  apiUrl: env.data.API_URL,
  apiKeyId: env.data.API_KEY_ID,
  region,
  credentials,
  apiGateway: new APIGatewayClient({ region, credentials }),
}).then(
  (result) => console.log(`smoke: passed (${result.withKey} with key, ${result.withoutKey} without)`),
  (error: unknown) => {
    console.error(`smoke: FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
