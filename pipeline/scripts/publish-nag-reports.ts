// Run by the synth step after `cdk synth`: puts each environment stage's nag-report.json from the
// cloud assembly to the compliance-reports bucket as nag-reports/<suffix>.json (the portal reads it), each
// stack's template, one write-once record per template hash (with the spec from the registry export), and
// with --execution each staging and prod template under that pipeline execution's ID (the preview reads it).
//   npx tsx pipeline/scripts/publish-nag-reports.ts --assembly pipeline/cdk.out --bucket <name> \
//     [--environments pipeline/environments.json] [--execution <pipeline execution ID>]
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { NAG_REPORTS_PREFIX } from '@sep/registry/names';
import { z } from 'zod';
import { readEnvironmentsFile } from '../src/environments-file';
import { findNagReports, publishNagReports, withSpecs } from '../src/nag-reports';

const { values } = parseArgs({
  options: {
    assembly: { type: 'string' },
    bucket: { type: 'string' },
    environments: { type: 'string' },
    execution: { type: 'string' },
  },
});
const options = z
  .object({
    assembly: z.string({ error: '--assembly (the cloud assembly directory) is required' }).min(1),
    bucket: z.string({ error: '--bucket (or COMPLIANCE_REPORTS_BUCKET) is required' }).min(1),
    environments: z.string().min(1).optional(),
    // Empty when the step runs outside a pipeline (the variable is CodePipeline's): nothing is execution-scoped.
    execution: z
      .string()
      .transform((value) => value || undefined)
      .optional(),
  })
  .safeParse({
    assembly: values.assembly,
    bucket: values.bucket ?? process.env.COMPLIANCE_REPORTS_BUCKET,
    environments: values.environments,
    execution: values.execution,
  });
if (!options.success) {
  console.error(`publish-nag-reports: ${options.error.issues.map((issue) => issue.message).join('; ')}`);
  process.exit(2);
}

const { assembly, bucket, environments, execution } = options.data;
const client = new S3Client({ maxAttempts: 8 });

Promise.resolve()
  .then(() => {
    const found = findNagReports(assembly);
    return environments === undefined
      ? found
      : withSpecs(found, readEnvironmentsFile(environments).environments);
  })
  .then(async (reports) => {
    if (reports.length === 0) {
      console.log(`publish-nag-reports: no stage in ${assembly} wrote a nag report (cdk-nag off?)`);
      return;
    }
    // CodeBuild's own variable: the commit this synth built, kept in each by-template record.
    const sourceRevision = process.env.CODEBUILD_RESOLVED_SOURCE_VERSION || undefined;
    const keys = await publishNagReports({ client, bucket, reports, sourceRevision, executionId: execution });
    console.log(
      `publish-nag-reports: ${keys.length} reports and stack templates → s3://${bucket}/${NAG_REPORTS_PREFIX}`,
    );
  })
  .then(() => client.destroy())
  .catch((error: unknown) => {
    console.error(`publish-nag-reports: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
