// The synth step's publishing of cdk-nag reports (SPEC section 5: the per-stage report travels with
// the synthesized stage so that the portal can show it). Infra's SecureEnvironmentStage writes
// `nag-report.json` into its stage's assembly directory; this finds those files in the pipeline's
// cloud assembly and puts each one to `nag-reports/<suffix>.json` in the compliance-reports bucket.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { NAG_REPORT_FILE } from '@sep/infra';
import { ENVIRONMENT_TAG, nagReportKey, publishedTemplateKey } from '@sep/registry/names';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';

export interface StageNagReport {
  readonly environmentSuffix: string;
  /** The report in the cloud assembly. */
  readonly file: string;
  /**
   * The stage's stack templates in the cloud assembly, published beside the report: the portal's
   * promotion preview compares them with what CloudFormation runs (`GetTemplate`).
   */
  readonly templates?: readonly { readonly stackName: string; readonly file: string }[];
}

/** What an environment suffix can be (the spec's rule), so that it is safe as an object key. */
const SUFFIX = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The environment stages' nag reports in a synthesized cloud assembly. A stage is tied to its
 * environment by the `Environment` tag the pipeline puts on its stacks, not by the stage's ID (the
 * lone staging or prod stage is named after its wave, whatever the environment's suffix).
 */
export function findNagReports(assemblyDirectory: string): StageNagReport[] {
  const reports = new Map<string, StageNagReport>();
  const visit = (assembly: CloudAssembly) => {
    for (const artifact of assembly.nestedAssemblies) {
      const stage = artifact.nestedAssembly;
      const file = join(stage.directory, NAG_REPORT_FILE);
      if (existsSync(file)) {
        const suffixes = [...new Set(stage.stacks.flatMap((stack) => stack.tags[ENVIRONMENT_TAG] ?? []))];
        const [environmentSuffix] = suffixes;
        if (suffixes.length !== 1 || environmentSuffix === undefined || !SUFFIX.test(environmentSuffix)) {
          throw new Error(
            `${file}: the stage's stacks must carry one ${ENVIRONMENT_TAG} tag naming its environment, found ${JSON.stringify(suffixes)}`,
          );
        }
        const seen = reports.get(environmentSuffix);
        if (seen !== undefined) {
          throw new Error(`two stages report for environment "${environmentSuffix}": ${seen.file}, ${file}`);
        }
        const templates = stage.stacks.map((stack) => ({
          stackName: stack.stackName,
          file: stack.templateFullPath,
        }));
        reports.set(environmentSuffix, { environmentSuffix, file, templates });
      }
      visit(stage);
    }
  };
  visit(new CloudAssembly(assemblyDirectory));
  return [...reports.values()].sort((a, b) => a.environmentSuffix.localeCompare(b.environmentSuffix));
}

export interface PublishNagReportsOptions {
  readonly client: S3Client;
  readonly bucket: string;
  readonly reports: readonly StageNagReport[];
  /** Uploads in flight at once. @default 8 */
  readonly concurrency?: number;
}

/**
 * Puts every report to `nag-reports/<suffix>.json` and its stage's templates to
 * `nag-reports/templates/<stack>.json` (the bucket's default encryption, SSE-KMS with the platform key,
 * applies). Tries every object, then fails naming each one that did not upload: a report that silently
 * stayed stale would show the portal an older synth's findings, a stale template an older diff.
 */
export async function publishNagReports(options: PublishNagReportsOptions): Promise<string[]> {
  const queue = options.reports.flatMap((report) => [
    { key: nagReportKey(report.environmentSuffix), file: report.file },
    ...(report.templates ?? []).map((template) => ({
      key: publishedTemplateKey(template.stackName),
      file: template.file,
    })),
  ]);
  const total = queue.length;
  const published: string[] = [];
  const failures: string[] = [];
  const worker = async () => {
    for (let upload = queue.shift(); upload !== undefined; upload = queue.shift()) {
      const { key } = upload;
      try {
        const body = readFileSync(upload.file, 'utf8');
        JSON.parse(body); // a truncated file is a failed synth, not a report or a template
        await options.client.send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key: key,
            Body: body,
            ContentType: 'application/json',
          }),
        );
        published.push(key);
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        failures.push(`${key}: ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 8, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failures.length > 0) {
    throw new Error(
      `${failures.length} of ${total} nag reports and templates not published to s3://${options.bucket}:\n  ${failures.sort().join('\n  ')}`,
    );
  }
  return published.sort();
}
