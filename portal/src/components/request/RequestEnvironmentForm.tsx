'use client';

import { SepApiError } from '@sep/client/api-error';
import {
  COMPLIANCE_LEVELS,
  DATA_CLASSIFICATIONS,
  DEFAULT_TTL_HOURS,
  ENVIRONMENT_KINDS,
  MAX_SUFFIX_LENGTH,
  MAX_TTL_HOURS,
  SUPPORTED_REGIONS,
} from '@sep/spec';
import { useRouter } from 'next/navigation';
import { useMemo, useRef, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { errorMessage, sendJson } from '../../client/api';
import { useSuffixAvailability } from '../../client/hooks';
import {
  INITIAL_REQUEST_FORM_VALUES,
  inPeoplesWords,
  type RequestFormValues,
  toFormFieldErrors,
  toRequestBody,
} from '../../client/request-form';
import { useDebouncedValue } from '../../client/use-debounced-value';
import { environmentDetailSchema } from '../../server/domain/view-schemas';
import { Alert, Button, Card, Field } from '../../ui';
import { CostPanel, FeatureToggles } from './FeatureToggles';
import { requestFormResolver } from './request-form-resolver';
import { SuffixStatus } from './SuffixStatus';

export interface RequestEnvironmentFormProps {
  /** Only admins may request staging or prod. */
  readonly isAdmin: boolean;
}

/** How long typing must pause before the suffix is checked against the registry. */
const AVAILABILITY_DEBOUNCE_MS = 300;

const KIND_DESCRIPTIONS = {
  ephemeral: 'Yours, short-lived, destroyed when its TTL ends',
  staging: 'Persistent pre-production (admins only)',
  prod: 'Production, retained data stores (admins only)',
} as const;

/**
 * The environment request form. Validation runs the shared request schema
 * (`environmentRequestSchema` from `@sep/spec`) in the browser (the
 * server runs it again); server answers are mapped back onto the fields. One request per submission, however often the button
 * is clicked.
 */
export function RequestEnvironmentForm({ isAdmin }: RequestEnvironmentFormProps) {
  const router = useRouter();
  const {
    register,
    handleSubmit,
    control,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<RequestFormValues>({
    defaultValues: INITIAL_REQUEST_FORM_VALUES,
    resolver: requestFormResolver,
    // Errors appear on submit, then follow every keystroke. Validating on blur would insert
    // messages while the pointer is on its way to the submit button and move it away.
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const values = useWatch({ control }) as RequestFormValues;
  const inFlight = useRef(false);
  const [created, setCreated] = useState<string>();

  const suffix = (values.environmentSuffix ?? '').trim();
  const debouncedSuffix = useDebouncedValue(suffix, AVAILABILITY_DEBOUNCE_MS);
  const availability = useSuffixAvailability(debouncedSuffix.length > 0 ? debouncedSuffix : null);
  const requestBody = useMemo(() => toRequestBody(values), [values]);
  const debouncedBody = useDebouncedValue(requestBody, AVAILABILITY_DEBOUNCE_MS);

  async function submit(formValues: RequestFormValues) {
    // A second click before React re-renders the disabled button must not send a second request.
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      const environment = await sendJson({
        schema: environmentDetailSchema,
        method: 'POST',
        url: '/api/environments',
        body: toRequestBody(formValues),
      });
      setCreated(environment.environmentSuffix);
      router.push(`/environments/${encodeURIComponent(environment.environmentSuffix)}`);
    } catch (caught) {
      inFlight.current = false;
      if (caught instanceof SepApiError && caught.code === 'suffix_taken') {
        setError(
          'environmentSuffix',
          { type: 'server', message: inPeoplesWords(caught.message) },
          { shouldFocus: true },
        );
        return;
      }
      if (caught instanceof SepApiError && caught.fields.length > 0) {
        toFormFieldErrors(caught.fields).forEach((fieldError, index) => {
          const name = fieldError.name === 'root' ? 'root.server' : fieldError.name;
          setError(
            name as keyof RequestFormValues,
            { type: 'server', message: fieldError.message },
            { shouldFocus: index === 0 },
          );
        });
        return;
      }
      setError('root.server', { type: 'server', message: errorMessage(caught) });
    }
  }

  const suffixError = errors.environmentSuffix?.message;
  const availabilityState =
    debouncedSuffix.length === 0
      ? undefined
      : debouncedSuffix !== suffix || availability.isLoading
        ? 'checking'
        : availability.data
          ? availability.data.available
            ? 'available'
            : (availability.data.reason ?? 'taken')
          : availability.error
            ? 'error'
            : undefined;

  const rootError = errors.root?.server?.message ?? errors.root?.schema?.message;
  const busy = isSubmitting || created !== undefined;

  return (
    <form
      className="form-layout"
      noValidate
      onSubmit={handleSubmit(submit)}
      aria-describedby={rootError ? 'request-form-error' : undefined}
      data-testid="request-form"
    >
      <div>
        {rootError ? (
          <div id="request-form-error">
            <Alert
              tone="danger"
              role="alert"
              title="The request was not accepted"
              testId="request-form-error"
            >
              <p>{rootError}</p>
            </Alert>
          </div>
        ) : null}
        <Card id="request-identity" title="Identity" description="How the environment is named and tagged.">
          <Field
            id="environmentSuffix"
            label="Environment suffix"
            hint={`Lowercase letters, digits and single hyphens; starts with a letter; 2–${MAX_SUFFIX_LENGTH} characters. Every AWS resource name carries it.`}
            error={suffixError}
            status={
              <SuffixStatus
                state={availabilityState}
                suffix={debouncedSuffix}
                hasClientError={Boolean(suffixError)}
                serverMessage={
                  availability.data?.errors?.[0]?.message === undefined
                    ? undefined
                    : inPeoplesWords(availability.data.errors[0].message)
                }
              />
            }
          >
            {(control) => (
              <input
                {...control}
                {...register('environmentSuffix')}
                className="input mono"
                autoComplete="off"
                spellCheck={false}
                maxLength={MAX_SUFFIX_LENGTH + 16}
                placeholder="e.g. pr-1234"
              />
            )}
          </Field>
          <fieldset className="fieldset field" aria-describedby={errors.kind ? 'kind-error' : undefined}>
            <legend>Kind</legend>
            <div className="radio-group">
              {ENVIRONMENT_KINDS.map((kind) => (
                <label key={kind} className="radio-card">
                  <input
                    type="radio"
                    value={kind}
                    {...register('kind')}
                    disabled={kind !== 'ephemeral' && !isAdmin}
                    data-testid={`kind-${kind}`}
                  />
                  <span>
                    <strong>{kind}</strong>
                    <small>{KIND_DESCRIPTIONS[kind]}</small>
                  </span>
                </label>
              ))}
            </div>
            {errors.kind ? (
              <p className="field__error" id="kind-error">
                {errors.kind.message}
              </p>
            ) : null}
          </fieldset>
          <div className="grid-2">
            <Field
              id="project"
              label="Project"
              hint="Tagged on every resource."
              error={errors.project?.message}
            >
              {(control) => (
                <input {...control} {...register('project')} className="input" placeholder="payments" />
              )}
            </Field>
            <Field
              id="costCenter"
              label="Cost center"
              hint="Charged for the environment's spend."
              error={errors.costCenter?.message}
            >
              {(control) => (
                <input {...control} {...register('costCenter')} className="input" placeholder="CC-1042" />
              )}
            </Field>
          </div>
          {values.kind === 'ephemeral' ? (
            <Field
              id="ttlHours"
              label="Time to live (hours)"
              hint={`Destroyed automatically after this many hours. Default ${DEFAULT_TTL_HOURS}, at most ${MAX_TTL_HOURS} (two weeks).`}
              error={errors.ttlHours?.message}
            >
              {(control) => (
                <input
                  {...control}
                  {...register('ttlHours')}
                  className="input"
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={MAX_TTL_HOURS}
                  step={1}
                />
              )}
            </Field>
          ) : null}
        </Card>

        <Card
          id="request-placement"
          title="Placement and data"
          description="Where it runs and what it may hold."
        >
          <div className="grid-2">
            <Field id="region" label="Region" error={errors.region?.message}>
              {(control) => (
                <select {...control} {...register('region')} className="select">
                  {SUPPORTED_REGIONS.map((region) => (
                    <option key={region} value={region}>
                      {region}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field
              id="account"
              label="AWS account ID"
              optional
              hint="12 digits; empty uses the pipeline's target account."
              error={errors.account?.message}
            >
              {(control) => (
                <input
                  {...control}
                  {...register('account')}
                  className="input mono"
                  inputMode="numeric"
                  autoComplete="off"
                />
              )}
            </Field>
            <Field
              id="dataClassification"
              label="Data classification"
              error={errors.dataClassification?.message}
            >
              {(control) => (
                <select {...control} {...register('dataClassification')} className="select">
                  {DATA_CLASSIFICATIONS.map((classification) => (
                    <option key={classification} value={classification}>
                      {classification}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field id="complianceLevel" label="Compliance level" error={errors.complianceLevel?.message}>
              {(control) => (
                <select {...control} {...register('complianceLevel')} className="select">
                  {COMPLIANCE_LEVELS.map((level) => (
                    <option key={level} value={level}>
                      {level}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        </Card>

        <FeatureToggles
          register={register}
          errors={errors}
          values={values.features}
          requestBody={debouncedBody}
          showSecretField={Boolean(values.features?.database)}
        />

        <Card id="request-access" title="Alerts and access">
          <Field
            id="alertEmails"
            label="Alert emails"
            optional={values.kind === 'ephemeral'}
            hint="One per line. Security alarms (unauthorized access, policy violations, WAF blocks) go here; staging and prod need at least one."
            error={errors.alertEmails?.message}
          >
            {(control) => (
              <textarea
                {...control}
                {...register('alertEmails')}
                className="textarea"
                rows={2}
                spellCheck={false}
              />
            )}
          </Field>
          <Field
            id="allowedCidrs"
            label="Allowed CIDRs"
            hint="One per line, /8 or narrower. Source networks allowed to assume the operator and auditor roles."
            error={errors.allowedCidrs?.message}
          >
            {(control) => (
              <textarea
                {...control}
                {...register('allowedCidrs')}
                className="textarea"
                rows={2}
                spellCheck={false}
              />
            )}
          </Field>
        </Card>

        <div className="form-actions">
          <Button
            type="submit"
            variant="primary"
            disabled={busy}
            aria-disabled={busy}
            data-testid="submit-request"
          >
            {created ? 'Opening environment…' : isSubmitting ? 'Requesting…' : 'Request environment'}
          </Button>
          <span className="small muted">You will be the owner; the request is written to the audit log.</span>
        </div>
      </div>
      <CostPanel requestBody={debouncedBody} />
    </form>
  );
}
