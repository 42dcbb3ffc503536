// The synth step's publishing of cdk-nag reports (SPEC section 5: the per-stage report travels with
// the synthesized stage so that the portal can show it). Infra's SecureEnvironmentStage writes
// `nag-report.json` into its stage's assembly directory; this finds those files in the pipeline's
// cloud assembly and puts each one to `nag-reports/<suffix>.json` in the compliance-reports bucket.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { NAG_REPORT_FILE } from '@sep/infra';
import {
  ENVIRONMENT_TAG,
  executionTemplateKey,
  nagReportKey,
  publishedTemplateKey,
} from '@sep/registry/names';
import { type TemplateRecord, templateHash, templateRecordKey } from '@sep/registry/template-hash';
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
  /** The EnvironmentSpec the stage was synthesized from, carried in each template's by-template record. */
  readonly spec?: unknown;
}

/**
 * Each report with the spec its environment was synthesized from (the registry export the synth read),
 * so that every by-template record says what the template was built from; a stage the export does not
 * name keeps no spec.
 */
export function withSpecs(
  reports: readonly StageNagReport[],
  environments: readonly { readonly spec: { readonly environmentSuffix: string } }[],
): StageNagReport[] {
  const specs = new Map(
    environments.map((environment) => [environment.spec.environmentSuffix, environment.spec]),
  );
  return reports.map((report) => {
    const spec = specs.get(report.environmentSuffix);
    return spec === undefined ? report : { ...report, spec };
  });
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
  /** The commit the synth built (CodeBuild's `CODEBUILD_RESOLVED_SOURCE_VERSION`), kept in each by-template record. */
  readonly sourceRevision?: string;
  /**
   * The pipeline execution the synth runs in (`#{codepipeline.PipelineExecutionId}`): each staging and
   * prod template is also put to `executionTemplateKey(executionId, stack)`, where the approval's preview
   * reads what the waiting execution deploys. Overwritten, not written once: a retried Build of the same
   * execution produces the assembly that execution then deploys. @default none
   */
  readonly executionId?: string;
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
  type Upload = { key: string; body: () => string; once?: boolean };
  // Each file is read (and checked) once, however many uploads it feeds.
  const files = new Map<string, string>();
  const read = (file: string) => {
    const body = files.get(file) ?? readJson(file);
    files.set(file, body);
    return body;
  };
  const queue: Upload[] = options.reports.flatMap((report) => [
    { key: nagReportKey(report.environmentSuffix), body: () => read(report.file) },
    ...(report.templates ?? []).flatMap((template) => [
      { key: publishedTemplateKey(template.stackName), body: () => read(template.file) },
      ...(options.executionId !== undefined && isPromoted(report.spec)
        ? [
            {
              key: executionTemplateKey(options.executionId, template.stackName),
              body: () => read(template.file),
            },
          ]
        : []),
      {
        // Written once: the key is the template's content address, so what is there already is this record
        // (or the same template's from an earlier synth, whose report and spec describe it as well).
        once: true,
        key: recordKey(template.file, read),
        body: () => {
          // An unreadable template has no content address: its record fails here, under a placeholder key,
          // and is never written.
          read(template.file);
          return JSON.stringify({
            nagReport: JSON.parse(read(report.file)),
            ...(report.spec === undefined ? {} : { spec: report.spec }),
            stackName: template.stackName,
            environmentSuffix: report.environmentSuffix,
            ...(options.sourceRevision === undefined ? {} : { sourceRevision: options.sourceRevision }),
          } satisfies TemplateRecord);
        },
      },
    ]),
  ]);
  const total = queue.length;
  const published: string[] = [];
  const failures: string[] = [];
  const worker = async () => {
    for (let upload = queue.shift(); upload !== undefined; upload = queue.shift()) {
      const { key } = upload;
      try {
        const body = upload.body();
        await options.client.send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key: key,
            Body: body,
            ContentType: 'application/json',
            ...(upload.once === true ? { IfNoneMatch: '*' } : {}),
          }),
        );
        published.push(key);
      } catch (error) {
        if (upload.once === true && error instanceof Error && error.name === 'PreconditionFailed') {
          published.push(key);
          continue;
        }
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

/** A staging or prod environment's spec: the release pipeline deploys its stacks, after an approval for prod. */
function isPromoted(spec: unknown): boolean {
  if (typeof spec !== 'object' || spec === null || !('kind' in spec)) return false;
  return spec.kind === 'staging' || spec.kind === 'prod';
}

/** A truncated file is a failed synth, not a report or a template. */
function readJson(file: string): string {
  const body = readFileSync(file, 'utf8');
  JSON.parse(body);
  return body;
}

/** The by-template key; an unreadable template still gets a named upload, which then fails reading it. */
function recordKey(templateFile: string, read: (file: string) => string): string {
  try {
    return templateRecordKey(templateHash(read(templateFile)));
  } catch {
    return templateRecordKey(`<unreadable ${templateFile}>`);
  }
}
