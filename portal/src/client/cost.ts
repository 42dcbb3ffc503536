import type { CostEstimate } from '../server/domain/types';
import type { FeatureToggle } from './request-form';

/** Monthly cost each feature adds, read from an estimate priced with every feature turned on. */
export function featureCosts(estimate: CostEstimate | undefined): Partial<Record<FeatureToggle, number>> {
  if (!estimate) return {};
  const costs: Partial<Record<FeatureToggle, number>> = {};
  for (const line of estimate.lines) {
    if (line.feature) costs[line.feature] = (costs[line.feature] ?? 0) + line.monthlyUsd;
  }
  return costs;
}
