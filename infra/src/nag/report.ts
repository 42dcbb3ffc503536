import {
  type INagLogger,
  type NagLoggerBaseData,
  type NagLoggerComplianceData,
  type NagLoggerErrorData,
  type NagLoggerNonComplianceData,
  type NagLoggerNotApplicableData,
  type NagLoggerSuppressedData,
  type NagLoggerSuppressedErrorData,
  NagMessageLevel,
} from 'cdk-nag';

export interface NagSuppressedEntry {
  readonly ruleId: string;
  readonly resource: string;
  readonly findingId?: string;
  readonly reason: string;
}

export interface NagFindingEntry {
  readonly ruleId: string;
  readonly resource: string;
  readonly findingId?: string;
  readonly info: string;
}

export interface NagPackReport {
  readonly pack: string;
  /** Distinct rules that applied to at least one resource (rules that applied to none are not counted). */
  readonly rulesChecked: number;
  /** Rules that passed on every resource they applied to: no finding, suppressed or not. Never above `rulesChecked`. */
  readonly passed: number;
  /** (rule, resource) checks that passed, for scale: one rule checks many resources. */
  readonly checksPassed: number;
  readonly suppressed: NagSuppressedEntry[];
  readonly errors: NagFindingEntry[];
  readonly warnings: NagFindingEntry[];
}

export interface NagReport {
  readonly stage: string;
  readonly generatedAt: string;
  readonly packs: NagPackReport[];
  readonly totals: {
    readonly rulesChecked: number;
    readonly passed: number;
    readonly checksPassed: number;
    readonly suppressed: number;
    readonly errors: number;
    readonly warnings: number;
  };
}

interface PackState {
  /** Per applicable rule: did any resource draw a finding (suppressed or not)? */
  readonly rules: Map<string, 'clean' | 'flagged'>;
  checksPassed: number;
  readonly suppressed: NagSuppressedEntry[];
  readonly errors: NagFindingEntry[];
  readonly warnings: NagFindingEntry[];
}

/** The pack names cdk-nag reports, in the order the stage applies them. */
export const PACK_NAMES = ['AwsSolutions', 'PCI.DSS.321', 'NIST.800.53.R5', 'Sep'] as const;

/**
 * An `INagLogger` that keeps every result of every pack in memory, so the
 * stage can write the portal's machine-readable report (ARCHITECTURE.md) and tests
 * can read findings without parsing annotations.
 */
export class NagReportCollector implements INagLogger {
  private readonly packs = new Map<string, PackState>();

  onCompliance(data: NagLoggerComplianceData): void {
    this.pack(data, 'clean').checksPassed += 1;
  }

  onNonCompliance(data: NagLoggerNonComplianceData): void {
    const entry = { ...where(data), info: data.ruleInfo };
    const state = this.pack(data, 'flagged');
    if (data.ruleLevel === NagMessageLevel.ERROR) state.errors.push(entry);
    else state.warnings.push(entry);
  }

  onSuppressed(data: NagLoggerSuppressedData): void {
    this.pack(data, 'flagged').suppressed.push({
      ...where(data),
      reason: stripFindingPrefix(data.suppressionReason),
    });
  }

  onError(data: NagLoggerErrorData): void {
    this.pack(data, 'flagged').errors.push({
      ruleId: data.ruleId,
      resource: data.resource.node.path,
      info: `rule failed to evaluate: ${data.errorMessage}`,
    });
  }

  onSuppressedError(data: NagLoggerSuppressedErrorData): void {
    this.pack(data, 'flagged').suppressed.push({
      ruleId: data.ruleId,
      resource: data.resource.node.path,
      reason: data.errorSuppressionReason,
    });
  }

  onNotApplicable(data: NagLoggerNotApplicableData): void {
    this.pack(data, 'not-applicable');
  }

  /** The report; `stage` names the stage it describes. */
  public report(stage: string, now: Date = new Date()): NagReport {
    const names = [
      ...PACK_NAMES,
      ...[...this.packs.keys()].filter((name) => !PACK_NAMES.includes(name as never)),
    ];
    const packs = names.map((pack): NagPackReport => {
      const state = this.packs.get(pack) ?? emptyState();
      return {
        pack,
        rulesChecked: state.rules.size,
        passed: [...state.rules.values()].filter((outcome) => outcome === 'clean').length,
        checksPassed: state.checksPassed,
        suppressed: [...state.suppressed].sort(byRuleAndResource),
        errors: [...state.errors].sort(byRuleAndResource),
        warnings: [...state.warnings].sort(byRuleAndResource),
      };
    });
    const sum = (pick: (pack: NagPackReport) => number) =>
      packs.reduce((total, pack) => total + pick(pack), 0);
    return {
      stage,
      generatedAt: now.toISOString(),
      packs,
      totals: {
        rulesChecked: sum((pack) => pack.rulesChecked),
        passed: sum((pack) => pack.passed),
        checksPassed: sum((pack) => pack.checksPassed),
        suppressed: sum((pack) => pack.suppressed.length),
        errors: sum((pack) => pack.errors.length),
        warnings: sum((pack) => pack.warnings.length),
      },
    };
  }

  private pack(data: NagLoggerBaseData, outcome: 'clean' | 'flagged' | 'not-applicable'): PackState {
    let state = this.packs.get(data.nagPackName);
    if (state === undefined) {
      state = emptyState();
      this.packs.set(data.nagPackName, state);
    }
    // A rule stays flagged once any resource drew a finding; not-applicable never counts as checked.
    if (outcome === 'flagged') state.rules.set(data.ruleId, 'flagged');
    else if (outcome === 'clean' && !state.rules.has(data.ruleId)) state.rules.set(data.ruleId, 'clean');
    return state;
  }
}

function emptyState(): PackState {
  return { rules: new Map(), checksPassed: 0, suppressed: [], errors: [], warnings: [] };
}

function where(data: NagLoggerNonComplianceData): { ruleId: string; resource: string; findingId?: string } {
  return {
    ruleId: data.ruleId,
    resource: data.resource.node.path,
    ...(data.findingId === '' ? {} : { findingId: data.findingId }),
  };
}

/** cdk-nag prefixes granular reasons with `[finding] `; the report has the finding in its own field. */
function stripFindingPrefix(reason: string): string {
  return reason.replace(/^\[[^\]]*\] /, '');
}

function byRuleAndResource(
  a: { ruleId: string; resource: string },
  b: { ruleId: string; resource: string },
): number {
  return a.ruleId.localeCompare(b.ruleId) || a.resource.localeCompare(b.resource);
}
