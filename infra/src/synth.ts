import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvironmentSpec } from '@sep/spec';
import { App } from 'aws-cdk-lib';
import { NAG_REPORT_FILE } from './nag/packs';
import type { NagReport } from './nag/report';
import { SecureEnvironmentStage } from './secure-environment-stage';

/** Account used when a spec names none, so that synthesis needs no credentials (ARCHITECTURE.md). */
export const PLACEHOLDER_ACCOUNT = '111111111111';

export interface SynthesizedStage {
  readonly stage: SecureEnvironmentStage;
  /** Directory holding the stage's templates and `nag-report.json`. */
  readonly stageDirectory: string;
  /** Absolute path of the environment stack's template. */
  readonly templateFile: string;
  readonly stackName: string;
  readonly report: NagReport;
  readonly resourceCount: number;
}

/**
 * Synthesizes one SecureEnvironmentStage for `spec` into `outdir`
 * (`manifest.json`, `assembly-<suffix>/…` and a copy of `nag-report.json` at the top).
 * No credentials, no Docker, no context lookups.
 */
export function synthesizeStage(options: {
  spec: EnvironmentSpec;
  outdir: string;
  nag?: boolean;
}): SynthesizedStage {
  const { spec, outdir } = options;
  const app = new App({ outdir });
  const stage = new SecureEnvironmentStage(app, spec.environmentSuffix, {
    spec,
    env: { account: spec.account ?? PLACEHOLDER_ACCOUNT, region: spec.region },
    nag: options.nag ?? true,
  });
  const assembly = app.synth();
  const stageAssembly = assembly.getNestedAssembly(stage.artifactId);
  const artifact = stageAssembly.getStackArtifact(stage.stack.artifactId);
  const reportFile = join(stage.outdir, NAG_REPORT_FILE);
  if (existsSync(reportFile)) copyFileSync(reportFile, join(outdir, NAG_REPORT_FILE));
  return {
    stage,
    stageDirectory: stageAssembly.directory,
    templateFile: join(stageAssembly.directory, artifact.templateFile),
    stackName: artifact.stackName,
    report: options.nag === false ? emptyReport(stage.stageName) : stage.nagReport(),
    resourceCount: Object.keys((artifact.template as { Resources?: object }).Resources ?? {}).length,
  };
}

function emptyReport(stage: string): NagReport {
  return {
    stage,
    generatedAt: new Date().toISOString(),
    packs: [],
    totals: { rulesChecked: 0, passed: 0, checksPassed: 0, suppressed: 0, errors: 0, warnings: 0 },
  };
}
