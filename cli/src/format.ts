import type { EnvironmentDetail, EnvironmentList, Schemas } from '@sep/client';

/** `KEY=value` lines for `$GITHUB_ENV` or `source`: output keys in SCREAMING_SNAKE_CASE (`ApiUrl` → `API_URL`). */
export function outputsAsEnv(outputs: Readonly<Record<string, string>>): string {
  return Object.entries(outputs)
    .map(([key, value]) => `${envName(key)}=${value}`)
    .join('\n');
}

export function envName(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

export function environmentText(env: EnvironmentDetail): string {
  const lines = [
    `${env.environmentSuffix}  ${env.status}${env.statusReason ? ` (${env.statusReason})` : ''}`,
    `  kind ${env.kind}, owner ${env.owner}, region ${env.region}, stack ${env.stackName}`,
    `  progress ${env.progress.phase} ${Math.round(env.progress.percent)}%`,
  ];
  if (env.expiresAt) lines.push(`  expires ${env.expiresAt}`);
  if (env.failure)
    lines.push(
      `  failed: ${env.failure.logicalResourceId} (${env.failure.resourceType}): ${env.failure.reason}`,
    );
  for (const output of env.outputs) lines.push(`  ${output.key} = ${output.value}`);
  return lines.join('\n');
}

export function listText(list: EnvironmentList): string {
  const rows = list.environments.map(
    (env) => `${env.environmentSuffix.padEnd(22)}${env.kind.padEnd(11)}${env.status.padEnd(14)}${env.owner}`,
  );
  return [`${'SUFFIX'.padEnd(22)}${'KIND'.padEnd(11)}${'STATUS'.padEnd(14)}OWNER`, ...rows].join('\n');
}

export function pipelineText(view: Schemas['PipelineView']): string {
  const lines = [`${view.pipelineName}: ${view.currentExecution?.status ?? 'no execution'}`];
  for (const stage of view.stages) lines.push(`  ${stage.name.padEnd(24)}${stage.status}`);
  const pending = view.pendingPromotion;
  lines.push(
    pending
      ? `pending promotion: execution ${pending.executionId} waiting since ${pending.requestedAt}`
      : 'no promotion pending',
  );
  return lines.join('\n');
}
