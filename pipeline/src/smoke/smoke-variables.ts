// The smoke action's plain variables, shared by the pipeline stack (which sets them) and the bundled
// smoke script (which reads them). CDK-free: the script is bundled without aws-cdk-lib.
import {
  DOCUMENTS_SMOKE_ROUTE,
  type EnvironmentSpec,
  HEALTH_SMOKE_ROUTE,
  type SmokeRoute,
  smokeRoute,
} from '@sep/spec';

/** `SMOKE_SKIP` value of an environment whose API the smoke test cannot reach from CodeBuild. */
export const SMOKE_SKIP_PRIVATE = 'PRIVATE';

/** `SMOKE_ROUTE`'s form: `<METHOD> <path>`. */
export function routeVariable(route: SmokeRoute): string {
  return `${route.method} ${route.path}`;
}

/** Every route `SMOKE_ROUTE` may name. */
export const SMOKE_ROUTES: Readonly<Record<string, SmokeRoute>> = Object.fromEntries(
  [DOCUMENTS_SMOKE_ROUTE, HEALTH_SMOKE_ROUTE].map((route) => [routeVariable(route), route]),
);

/**
 * The smoke action's environment beyond the stage outputs, as few bytes as possible per action (the
 * pipeline template is capped at 1 MB): the target account (whose smoke-test role the script assumes;
 * the region comes from the API URL), the route when it is not the default `POST documents`, and an
 * explicit skip for PRIVATE APIs, reachable only through the environment's execute-api VPC endpoint.
 */
export function smokeEnvironment(spec: EnvironmentSpec, account: string): Record<string, string> {
  const route = smokeRoute(spec.features);
  return {
    TARGET_ACCOUNT: account,
    ...(route === DOCUMENTS_SMOKE_ROUTE ? {} : { SMOKE_ROUTE: routeVariable(route) }),
    ...(spec.features.apiEndpointType === 'PRIVATE' ? { SMOKE_SKIP: SMOKE_SKIP_PRIVATE } : {}),
  };
}
