'use client';

import { formatCostDelta, formatUsd } from '../../client/format';
import type { PromotionPreview, StackPreview } from '../../server/domain/promotion-preview-schemas';
import { Alert, Badge, Table } from '../../ui';

const CHANGE_TONE = { added: 'success', modified: 'info', replaced: 'warning', removed: 'danger' } as const;

/** A security rule or statement that appears or disappears; red when it widens access. */
const SECURITY_CHANGE_COLUMN = {
  key: 'change',
  header: 'Change',
  cell: (r: { readonly change: 'added' | 'removed'; readonly widens: boolean }) => (
    <Badge tone={r.widens ? 'danger' : 'success'}>{r.change === 'added' ? '+ added' : '− removed'}</Badge>
  ),
};

/** One prod stack's part of the preview: counts, replacements and removals, security, compliance, cost. */
function StackPreviewSection({ stack }: { readonly stack: StackPreview }) {
  const risky = stack.resources.filter((r) => r.change === 'replaced' || r.change === 'removed');
  const widening = stack.security.securityGroupRules;
  const statements = stack.security.iamStatements;
  return (
    <section className="preview-stack" data-testid={`preview-stack-${stack.environmentSuffix}`}>
      <h3 className="preview-stack__title">
        <code>{stack.stackName}</code> {stack.flags.length > 0 ? <Badge tone="danger">flagged</Badge> : null}
      </h3>
      {!stack.available ? (
        <p className="muted" data-testid="preview-unavailable">
          No diff: {stack.unavailableReason}
        </p>
      ) : (
        <>
          <ul className="preview-counts" data-testid="preview-counts">
            {(['added', 'modified', 'replaced', 'removed'] as const).map((kind) => (
              <li key={kind}>
                <Badge tone={stack.counts[kind] > 0 ? CHANGE_TONE[kind] : 'neutral'}>
                  {stack.counts[kind]} {kind}
                </Badge>
              </li>
            ))}
          </ul>
          {stack.flags.length > 0 ? (
            <ul className="preview-flags" data-testid="preview-flags">
              {stack.flags.map((flag) => (
                <li key={flag}>{flag}</li>
              ))}
            </ul>
          ) : null}
          {risky.length > 0 ? (
            <Table
              caption="Resources replaced or removed"
              showCaption
              testId="preview-replaced-removed"
              rows={risky}
              rowKey={(r) => r.logicalId}
              columns={[
                { key: 'resource', header: 'Resource', cell: (r) => <code>{r.logicalId}</code> },
                { key: 'type', header: 'Type', cell: (r) => r.resourceType, secondary: true },
                {
                  key: 'change',
                  header: 'Change',
                  cell: (r) => (
                    <>
                      {r.change}
                      {r.conditional ? ' (may be)' : ''}
                      {r.stateful ? (r.retained ? ' · retained' : ' · data lost') : ''}
                    </>
                  ),
                },
              ]}
            />
          ) : null}
          {widening.length > 0 ? (
            <Table
              caption="Security-group rules"
              showCaption
              testId="preview-security-groups"
              rows={widening}
              rowKey={(r) => `${r.change}:${r.direction}:${r.group}:${r.protocol}:${r.peer}`}
              rowProps={(r) => ({ 'data-widens': String(r.widens) })}
              columns={[
                SECURITY_CHANGE_COLUMN,
                // Narrow screens keep what widens: the change, the protocol and the peer.
                { key: 'direction', header: 'Direction', cell: (r) => r.direction, secondary: true },
                { key: 'group', header: 'Group', cell: (r) => <code>{r.group}</code>, secondary: true },
                { key: 'protocol', header: 'Protocol', cell: (r) => r.protocol },
                { key: 'peer', header: 'Peer', cell: (r) => r.peer },
              ]}
            />
          ) : null}
          {statements.length > 0 ? (
            <Table
              caption="IAM statements"
              showCaption
              testId="preview-iam"
              rows={statements}
              rowKey={(r) => `${r.change}:${r.effect}:${r.actions}:${r.resources}:${r.principals}`}
              columns={[
                SECURITY_CHANGE_COLUMN,
                { key: 'effect', header: 'Effect', cell: (r) => r.effect, secondary: true },
                {
                  key: 'actions',
                  header: 'Actions',
                  cell: (r) => <code className="preview-wrap">{r.actions}</code>,
                },
                {
                  key: 'resources',
                  header: 'Resources',
                  cell: (r) => <code className="preview-wrap">{r.resources}</code>,
                  secondary: true,
                },
                {
                  key: 'principals',
                  header: 'Principals',
                  cell: (r) => <code className="preview-wrap">{r.principals}</code>,
                  secondary: true,
                },
              ]}
            />
          ) : null}
          <p className="small" data-testid="preview-compliance">
            <strong>Compliance: </strong>
            {!stack.compliance.available
              ? `no delta: ${stack.compliance.reason ?? 'a cdk-nag report of one side is not available'}`
              : stack.compliance.entries.length === 0
                ? 'no finding or suppression appears or disappears'
                : stack.compliance.entries
                    .map(
                      (e) => `${e.change === 'appears' ? '+' : '−'} ${e.kind} ${e.ruleId} on ${e.resource}`,
                    )
                    .join('; ')}
          </p>
        </>
      )}
      {stack.cost ? (
        <p className="small" data-testid="preview-cost">
          <strong>Cost: </strong>
          {stack.cost.deltaMonthlyUsd === undefined
            ? `${formatUsd(stack.cost.next.monthlyUsd)}/mo after the promotion (${stack.available ? 'the deployed spec is not known' : 'nothing deployed yet'})`
            : `${formatCostDelta(stack.cost.deltaMonthlyUsd)} (${formatUsd(stack.cost.deployed?.monthlyUsd ?? 0)} → ${formatUsd(stack.cost.next.monthlyUsd)}/mo)`}
        </p>
      ) : null}
    </section>
  );
}

/** What the waiting execution changes in prod, per stack, with what needs a typed confirmation. */
export function PromotionPreviewPanel({ preview }: { readonly preview: PromotionPreview }) {
  return (
    <div className="promotion-preview" data-testid="promotion-preview" data-flagged={String(preview.flagged)}>
      <h3>What this promotion changes in prod</h3>
      {preview.flagged ? (
        <Alert
          tone="danger"
          title="Flagged: approving needs a typed confirmation and a reason"
          testId="preview-flagged"
        >
          <ul>
            {preview.flags.map((flag) => (
              <li key={flag}>{flag}</li>
            ))}
          </ul>
        </Alert>
      ) : null}
      {preview.stacks.length === 0 ? (
        <p className="muted">No prod stack has a template to compare (none published for this execution).</p>
      ) : (
        preview.stacks.map((stack) => <StackPreviewSection key={stack.stackName} stack={stack} />)
      )}
    </div>
  );
}
