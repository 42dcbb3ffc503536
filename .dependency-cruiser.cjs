// The package rules of ARCHITECTURE.md, checked by `npm run depcheck` (the first step of `npm test`).
// Workspace imports ('@sep/registry', ...) resolve through node_modules/@sep/* symlinks to the
// workspace folders, so every rule below speaks in folder paths. The allowed table is a DAG:
//   spec → (nothing internal)         registry → spec
//   lambda → spec, registry           infra → spec, lambda (bundles.ts only)
//   pipeline → spec, registry, infra, lambda
//   portal → spec, registry, pipeline (definition, local-aws, rehearsal only), client (its API error class; its contract test)
//   client → (nothing internal: the API's typed client, generated from the portal's document)
//   cli → spec, client
//   e2e → anything
const WORKSPACES = ['spec', 'registry', 'infra', 'lambda', 'pipeline', 'client', 'cli', 'portal', 'e2e'];

/**
 * A rule that `from` may import no workspace except `allowed` (and itself); `testsMayAlso` names workspaces
 * its tests may import besides (contract tests that prove a copy of a figure still matches its source).
 */
function onlyInternal(from, allowed, comment, testsMayAlso = []) {
  const forbidden = WORKSPACES.filter((name) => name !== from && !allowed.includes(name));
  const rule = {
    name: `${from}-allowed-workspaces`,
    comment,
    severity: 'error',
    from: { path: `^${from}/` },
    to: { path: `^(${forbidden.join('|')})/` },
  };
  if (testsMayAlso.length === 0) return rule;
  return {
    ...rule,
    from: { path: `^${from}/`, pathNot: '\\.test\\.tsx?$' },
    // The tests' own rule: everything above, less the workspaces they may read figures from.
    testRule: {
      ...rule,
      name: `${from}-tests-allowed-workspaces`,
      from: { path: `^${from}/.*\\.test\\.tsx?$` },
      to: { path: `^(${forbidden.filter((name) => !testsMayAlso.includes(name)).join('|')})/` },
    },
  };
}

/** A rule, and beside it the rule for its workspace's tests when it has one. */
function withTestRule({ testRule, ...rule }) {
  return testRule === undefined ? [rule] : [rule, testRule];
}

// Resolved into node_modules, or left unresolved (a fixture without node_modules): either way a CDK import.
const CDK = '(^|/)node_modules/(aws-cdk-lib|constructs|cdk-nag)/|^(aws-cdk-lib|constructs|cdk-nag)(/|$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-workspace-cycles',
      comment:
        'A cycle that runs through two workspaces: the package graph must stay a DAG (see ARCHITECTURE.md).',
      severity: 'error',
      from: { path: '^(spec|registry|infra|lambda|pipeline|client|cli|portal|e2e)/' },
      to: { circular: true, viaSomeNot: '^$1/' },
    },
    onlyInternal('spec', [], 'The spec is the root contract: zod only, nothing internal.'),
    onlyInternal('registry', ['spec'], 'The registry depends on the spec only.'),
    onlyInternal('lambda', ['spec', 'registry'], 'Handlers use the contracts, never the CDK workspaces.'),
    onlyInternal('infra', ['spec', 'lambda'], 'The stage knows the spec and the Lambda bundles.'),
    onlyInternal('pipeline', ['spec', 'registry', 'infra', 'lambda'], 'The pipeline deploys infra stages.'),
    ...withTestRule(
      onlyInternal(
        'portal',
        ['spec', 'registry', 'pipeline', 'client'],
        "The portal never imports CDK constructs; it shares the client's API error class and checks its document against the client it publishes.",
        // The evidence bundle restates infra's retention figures: its test proves they still match.
        ['infra'],
      ),
    ),
    onlyInternal('client', [], 'The typed client ships to other teams: it carries only the API document.'),
    onlyInternal('cli', ['spec', 'client'], 'The CLI talks to the portal through the typed client only.'),
    {
      name: 'infra-uses-lambda-bundles-only',
      comment: "infra deploys the prebuilt bundles; a handler's code is lambda's own.",
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^lambda/', pathNot: '^lambda/bundles\\.ts$' },
    },
    {
      name: 'portal-uses-pipeline-tools-only',
      comment:
        "The portal reads the synthesized pipeline and plays it locally; it never builds the pipeline's CDK app.",
      severity: 'error',
      from: { path: '^portal/' },
      to: { path: '^pipeline/', pathNot: '^pipeline/src/(definition|local-aws|rehearsal)/index\\.ts$' },
    },
    {
      name: 'contracts-without-cdk',
      comment:
        'spec and registry run in the browser, the portal server and the sweeper Lambda: no aws-cdk-lib.',
      severity: 'error',
      from: { path: '^(spec|registry)/' },
      to: { path: CDK },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(\\.next|dist|cdk\\.out[^/]*|coverage|generated|test-results)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.cjs', '.mjs', '.json', '.d.ts'],
    },
  },
};
