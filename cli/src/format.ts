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

/** The promotion preview as an approver reads it in a terminal: per stack, counts, flags, widening. */
export function previewText(preview: Schemas['PromotionPreview']): string {
  const lines = [`promotion preview of execution ${preview.executionId}`];
  for (const stack of preview.stacks) {
    if (!stack.available) {
      lines.push(`  ${stack.stackName}: no diff (${stack.unavailableReason ?? 'unavailable'})`);
      continue;
    }
    const { added, modified, replaced, removed } = stack.counts;
    lines.push(
      `  ${stack.stackName}: ${added} added, ${modified} modified, ${replaced} replaced, ${removed} removed`,
    );
    for (const rule of stack.security.securityGroupRules) {
      lines.push(
        `    ${rule.change === 'added' ? '+' : '-'} ${rule.direction} ${rule.protocol} ${rule.peer} (${rule.group})`,
      );
    }
    for (const statement of stack.security.iamStatements) {
      lines.push(
        `    ${statement.change === 'added' ? '+' : '-'} ${statement.effect} ${statement.actions} on ${statement.resources}`,
      );
    }
    if (stack.cost?.deltaMonthlyUsd !== undefined)
      lines.push(
        `    cost: ${stack.cost.deltaMonthlyUsd >= 0 ? '+' : ''}${stack.cost.deltaMonthlyUsd} USD/month`,
      );
  }
  if (preview.flagged) {
    lines.push('FLAGGED:', ...preview.flags.map((flag) => `  ${flag}`));
    lines.push(
      `approve with: sep promote approve --execution ${preview.executionId} --confirm '${preview.confirmationPhrase}' --reason '<why>'`,
    );
  } else {
    lines.push('not flagged');
  }
  return lines.join('\n');
}
