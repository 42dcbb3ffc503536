import { z } from 'zod';
import type { ComplianceReport } from './types';

const finding = z.object({
  ruleId: z.string(),
  resource: z.string(),
  findingId: z.string().optional(),
  message: z.string().optional(),
});

/** `nag-report.json` as infra's `applyCompliancePacks` writes it next to each synthesized stage. */
const nagReportSchema = z.object({
  stage: z.string().optional(),
  generatedAt: z.string().optional(),
  packs: z.array(
    z.object({
      pack: z.string(),
      rulesChecked: z.number().int().nonnegative(),
      passed: z.number().int().nonnegative(),
      suppressed: z.array(
        z.object({
          ruleId: z.string(),
          resource: z.string(),
          findingId: z.string().optional(),
          reason: z.string(),
        }),
      ),
      errors: z.array(finding).default([]),
      warnings: z.array(finding).default([]),
    }),
  ),
});

/** The static half of a compliance report, from a nag report file's content (or its absence). */
export function staticCompliance(report: unknown): ComplianceReport['static'] {
  const parsed = nagReportSchema.safeParse(report);
  if (!parsed.success) {
    return { available: false, packs: [], totals: { rulesChecked: 0, passed: 0, suppressed: 0, errors: 0 } };
  }
  const packs = parsed.data.packs;
  return {
    available: true,
    ...(parsed.data.generatedAt === undefined ? {} : { generatedAt: parsed.data.generatedAt }),
    packs,
    totals: {
      rulesChecked: packs.reduce((sum, pack) => sum + pack.rulesChecked, 0),
      passed: packs.reduce((sum, pack) => sum + pack.passed, 0),
      suppressed: packs.reduce((sum, pack) => sum + pack.suppressed.length, 0),
      errors: packs.reduce((sum, pack) => sum + pack.errors.length, 0),
    },
  };
}
