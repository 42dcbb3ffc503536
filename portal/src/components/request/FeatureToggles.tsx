'use client';

import type { FieldErrors, UseFormRegister } from 'react-hook-form';
import { errorMessage } from '../../client/api';
import { featureCosts } from '../../client/cost';
import { formatCostDelta, formatTotalOfShown, formatUsd } from '../../client/format';
import { useCostEstimate } from '../../client/hooks';
import { FEATURE_TOGGLES, type FeatureToggle, type RequestFormValues } from '../../client/request-form';
import type { CreateEnvironmentRequest } from '../../server/domain/types';
import { Card, Field, Skeleton } from '../../ui';

const FEATURE_TEXT: Record<FeatureToggle, { readonly title: string; readonly description: string }> = {
  database: {
    title: 'Aurora MySQL database',
    description:
      'Serverless v2 across AZs, CMK-encrypted, TLS 1.2+ enforced, credentials rotated every 30 days.',
  },
  networkFirewall: {
    title: 'AWS Network Firewall',
    description: 'Workload egress inspected; only TLS to named AWS service endpoints is allowed.',
  },
  waf: {
    title: 'WAF on the API',
    description: 'WAFv2 web ACL: SQL injection, XSS, known bad inputs and a rate-based rule, with logging.',
  },
  documentPipeline: {
    title: 'Document pipeline',
    description: 'Document API that validates, encrypts with the data key and scans uploads for PII.',
  },
  guardDutyRemediation: {
    title: 'GuardDuty remediation',
    description: 'High-severity findings on this environment trigger automated remediation and an alert.',
  },
};

export interface FeatureTogglesProps {
  readonly register: UseFormRegister<RequestFormValues>;
  readonly errors: FieldErrors<RequestFormValues>;
  readonly values: RequestFormValues['features'] | undefined;
  /** The current request (debounced), priced with every feature on to show each toggle's effect. */
  readonly requestBody: CreateEnvironmentRequest;
  /** The database secret import only makes sense with the database on. */
  readonly showSecretField: boolean;
}

/** The feature switches, each with what it adds to the monthly bill. */
export function FeatureToggles({
  register,
  errors,
  values,
  requestBody,
  showSecretField,
}: FeatureTogglesProps) {
  const allOn = useCostEstimate({
    ...requestBody,
    features: {
      ...requestBody.features,
      ...Object.fromEntries(FEATURE_TOGGLES.map((toggle) => [toggle, true])),
    },
  });
  const costs = featureCosts(allOn.data);

  return (
    <Card
      id="request-features"
      title="Features"
      description="Network Firewall, the Aurora database and the interface endpoints dominate the bill."
    >
      <ul className="toggle-list">
        {FEATURE_TOGGLES.map((toggle) => {
          const cost = costs[toggle];
          const error = errors.features?.[toggle]?.message;
          const on = Boolean(values?.[toggle]);
          return (
            <li key={toggle}>
              <label className="toggle-row" htmlFor={`features.${toggle}`}>
                <input
                  type="checkbox"
                  id={`features.${toggle}`}
                  {...register(`features.${toggle}`)}
                  aria-describedby={`features.${toggle}-description features.${toggle}-cost`}
                  data-testid={`feature-${toggle}`}
                />
                <span>
                  <span className="toggle-row__title">{FEATURE_TEXT[toggle].title}</span>
                  <span className="toggle-row__description" id={`features.${toggle}-description`}>
                    {FEATURE_TEXT[toggle].description}
                  </span>
                  {error ? <span className="field__error">{error}</span> : null}
                </span>
                <span
                  className={`toggle-row__cost${on ? '' : ' muted'}`}
                  id={`features.${toggle}-cost`}
                  data-testid={`feature-cost-${toggle}`}
                >
                  {cost !== undefined || allOn.data ? formatCostDelta(cost ?? 0) : allOn.error ? 'n/a' : '…'}
                  <span className="visually-hidden"> per month {on ? '(included)' : '(not included)'}</span>
                </span>
              </label>
            </li>
          );
        })}
      </ul>
      <fieldset className="fieldset field fieldset--spaced">
        <legend>API endpoint type</legend>
        <div className="radio-group">
          <label className="radio-card">
            <input type="radio" value="REGIONAL" {...register('features.apiEndpointType')} />
            <span>
              <strong>Regional</strong>
              <small>Reachable from the internet, behind WAF and IAM auth</small>
            </span>
          </label>
          <label className="radio-card">
            <input type="radio" value="PRIVATE" {...register('features.apiEndpointType')} />
            <span>
              <strong>Private</strong>
              <small>Only through the execute-api VPC endpoint</small>
            </span>
          </label>
        </div>
      </fieldset>
      {showSecretField ? (
        <Field
          id="existingDatabaseSecretArn"
          label="Existing database secret ARN"
          optional
          hint="Import a Secrets Manager secret in the same region instead of creating one."
          error={errors.existingDatabaseSecretArn?.message}
        >
          {(control) => (
            <input
              {...control}
              {...register('existingDatabaseSecretArn')}
              className="input mono"
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
      ) : null}
    </Card>
  );
}

/** The running monthly estimate of the request, line by line. */
export function CostPanel({ requestBody }: { readonly requestBody: CreateEnvironmentRequest }) {
  const estimate = useCostEstimate(requestBody);
  const lines = [...(estimate.data?.lines ?? [])].sort((a, b) => b.monthlyUsd - a.monthlyUsd);
  return (
    <aside className="cost-summary" aria-labelledby="cost-heading">
      <Card id="cost-heading" title="Estimated monthly cost" level={2} testId="cost-estimate">
        {estimate.data ? (
          <>
            <p className="cost-summary__total" data-testid="cost-estimate-total" aria-live="polite">
              {formatTotalOfShown(lines.map((line) => line.monthlyUsd))}
              <span className="small muted"> /month</span>
            </p>
            <p className="small muted">
              List prices for {estimate.data.region}, price table of {estimate.data.priceTableAsOf}.
              Usage-based charges (requests, storage, data transfer) are extra.
            </p>
            <ul className="cost-lines">
              {lines.map((line) => (
                <li key={line.item} title={line.basis}>
                  <span>
                    {line.label}
                    <span className="visually-hidden"> ({line.basis})</span>
                  </span>
                  <span>{formatUsd(line.monthlyUsd)}</span>
                </li>
              ))}
            </ul>
          </>
        ) : estimate.error ? (
          <p className="small">The estimate is unavailable: {errorMessage(estimate.error)}</p>
        ) : (
          <Skeleton label="Estimating cost" />
        )}
      </Card>
    </aside>
  );
}
