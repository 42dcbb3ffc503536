import { AccountSecurityStack, applyCompliancePacks, SecureEnvironmentStage } from '@sep/infra';
import { ACCOUNT_SECURITY_STACK_NAME } from '@sep/registry/names';
import type { EnvironmentSpec } from '@sep/spec';
import { Stage } from 'aws-cdk-lib';
import type { AccountSecurityStageFactory, EnvironmentStageFactory } from './environment-stages';

/** Same name in every account and region (`@sep/registry/names`, where the portal reads it too). */
export { ACCOUNT_SECURITY_STACK_NAME };

/** The real secure environment (infra/). */
export const createSecureEnvironmentStage: EnvironmentStageFactory = (scope, id, props) =>
  new SecureEnvironmentStage(scope, id, { spec: props.spec, env: props.env, nag: props.nag });

/**
 * The account-security stack (CloudTrail, CIS alarms) alerting the persistent environments' contacts,
 * under the same four packs as every environment stage when `nag` is on (an unsuppressed finding is an
 * error annotation: `cdk synth` fails). It writes no nag-report.json: no environment owns it.
 */
export function accountSecurityStageFactory(specs: readonly EnvironmentSpec[]): AccountSecurityStageFactory {
  return (scope, id, props) => {
    const stage = new Stage(scope, id, { env: props.env });
    const alertEmails = [
      ...new Set(
        specs
          .filter(
            (spec) =>
              spec.region === props.env.region && (spec.account ?? props.env.account) === props.env.account,
          )
          .flatMap((spec) => spec.alertEmails),
      ),
    ].slice(0, 10);
    new AccountSecurityStack(stage, 'AccountSecurity', {
      stackName: ACCOUNT_SECURITY_STACK_NAME,
      alertEmails,
      createConfigRecorder: props.createConfigRecorder,
      platformAccess: props.platformAccess,
    });
    if (props.nag) applyCompliancePacks(stage);
    return stage;
  };
}
