// The Build stage's synth step both pipelines share: what CodeBuild installs and runs to export the
// registry, synthesize the app and publish its cdk-nag reports, and the only permissions it gets.
import { GlobalVariables } from 'aws-cdk-lib/aws-codepipeline';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { CodeBuildStep, CodePipelineSource } from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import type { ComplianceReports } from './constructs/compliance-reports';
import { REGISTRY_READ_ACTIONS, registryStatements } from './constructs/policies';
import { SMOKE_SCRIPT_PATH } from './smoke/smoke-step';

export interface PipelineSourceConfig {
  /** CodeStar (CodeConnections) connection ARN. */
  readonly connectionArn: string;
  /** `owner/repository`. */
  readonly repo: string;
  readonly branch: string;
}

export interface SynthStepOptions {
  readonly scope: Construct;
  readonly source: PipelineSourceConfig;
  /** Context passed to `cdk synth` so it rebuilds this same pipeline. */
  readonly synthContext: Readonly<Record<string, string>>;
  /** The registry the synth exports (read only). */
  readonly registryTable: dynamodb.ITable;
  readonly platformKey: kms.IKey;
  /** Where the synth publishes each stage's cdk-nag report and template record. */
  readonly complianceReports: ComplianceReports;
}

/** The synth step: registry export, `cdk synth`, nag-report publication, the smoke script's bundle. */
export function synthStep(options: SynthStepOptions): CodeBuildStep {
  const contextFlags = synthContextFlags(options.synthContext);
  return new CodeBuildStep('Synth', {
    input: CodePipelineSource.connection(options.source.repo, options.source.branch, {
      connectionArn: options.source.connectionArn,
    }),
    env: {
      REGISTRY_TABLE_NAME: options.registryTable.tableName,
      COMPLIANCE_REPORTS_BUCKET: options.complianceReports.bucket.bucketName,
      NEXT_TELEMETRY_DISABLED: '1',
      // A CodePipeline variable, so CDK Pipelines sets it on the action: each execution passes its own ID.
      PIPELINE_EXECUTION_ID: GlobalVariables.executionId,
    },
    installCommands: ['npm ci --no-audit --no-fund'],
    commands: [
      'npm run build -w @sep/lambda',
      // The registry is read HERE, into a file; `cdk synth` below only reads the file.
      'npx tsx pipeline/scripts/export-registry.ts --table "$REGISTRY_TABLE_NAME" --out pipeline/environments.json',
      // A subshell: buildspec 0.2 runs every command in one shell, so a bare `cd` would leak.
      `(cd pipeline && ENVIRONMENTS_FILE=environments.json npx cdk synth ${contextFlags})`.replace(' )', ')'),
      // Each environment stage's nag-report.json → s3://$COMPLIANCE_REPORTS_BUCKET/nag-reports/<suffix>.json, its
      // templates, a record per template hash naming the spec it was synthesized from, and each staging and
      // prod template under this execution's ID: the release pipeline's approval previews its own execution's.
      'npx tsx pipeline/scripts/publish-nag-reports.ts --assembly pipeline/cdk.out --bucket "$COMPLIANCE_REPORTS_BUCKET" --environments pipeline/environments.json --execution "$PIPELINE_EXECUTION_ID"',
      // The smoke script every environment's smoke action runs, from the cloud assembly.
      `npx esbuild pipeline/scripts/smoke.ts --bundle --platform=node --target=node20 --outfile=pipeline/cdk.out/${SMOKE_SCRIPT_PATH}`,
    ],
    primaryOutputDirectory: 'pipeline/cdk.out',
    rolePolicyStatements: [
      ...registryStatements({
        scope: options.scope,
        table: options.registryTable,
        key: options.platformKey,
        actions: REGISTRY_READ_ACTIONS,
      }),
      ...options.complianceReports.publishStatements(),
    ],
  });
}

/**
 * `-c key='value'` per context key, single-quoted for the build's shell (a quote inside is written
 * `'\''`), so no value is expanded or split on its way back to `cdk synth`.
 */
export function synthContextFlags(context: Readonly<Record<string, string>>): string {
  return Object.entries(context)
    .map(([key, value]) => `-c ${key}='${value.replaceAll("'", "'\\''")}'`)
    .join(' ');
}
