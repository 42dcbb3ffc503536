// The delivery pipeline's build steps run on this machine as CodeBuild runs them: the synth step's
// commands read from the synthesized buildspec, in a copy of the repository (the Source artifact). Used
// by local mode and by the buildspec rehearsal test. No aws-cdk-lib.
export { ProcessGroupLock } from './process-group-lock';
export { snapshotSource, sourceFingerprint } from './source-snapshot';
export {
  type CommandRun,
  type RunSynthStepOptions,
  reapSynthSteps,
  runSynthStep,
  SynthStepError,
  type SynthStepResult,
} from './synth-step';
