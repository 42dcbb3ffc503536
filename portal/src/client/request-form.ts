import {
  type ComplianceLevel,
  type DataClassification,
  DEFAULT_ALLOWED_CIDRS,
  DEFAULT_TTL_HOURS,
  type EnvironmentKind,
  type FieldError,
  parseEnvironmentRequest,
  type SupportedRegion,
} from '@sep/spec';
import type { CreateEnvironmentRequest } from '../server/domain/types';

/** The feature toggles of the request form, by spec field name. */
export const FEATURE_TOGGLES = [
  'database',
  'networkFirewall',
  'waf',
  'documentPipeline',
  'guardDutyRemediation',
] as const;
export type FeatureToggle = (typeof FEATURE_TOGGLES)[number];

/**
 * What the form holds. Lists are edited as text (one item per line or
 * comma-separated) and numbers as strings, so that half-typed input stays
 * what the user typed; {@link toRequestBody} turns it into the API body.
 */
export interface RequestFormValues {
  environmentSuffix: string;
  kind: EnvironmentKind;
  project: string;
  costCenter: string;
  dataClassification: DataClassification;
  complianceLevel: ComplianceLevel;
  region: SupportedRegion;
  /** Empty: the pipeline's default account. */
  account: string;
  /** Empty: the default TTL. Ignored for staging and prod. */
  ttlHours: string;
  alertEmails: string;
  allowedCidrs: string;
  /** Empty: the stage creates the database secret. */
  existingDatabaseSecretArn: string;
  features: Record<FeatureToggle, boolean> & { apiEndpointType: 'REGIONAL' | 'PRIVATE' };
}

/** The form's initial values: the spec's own defaults, so the form shows what would be built. */
export const INITIAL_REQUEST_FORM_VALUES: RequestFormValues = {
  environmentSuffix: '',
  kind: 'ephemeral',
  project: '',
  costCenter: '',
  dataClassification: 'confidential',
  complianceLevel: 'pci-dss',
  region: 'us-east-1',
  account: '',
  ttlHours: String(DEFAULT_TTL_HOURS),
  alertEmails: '',
  allowedCidrs: DEFAULT_ALLOWED_CIDRS.join('\n'),
  existingDatabaseSecretArn: '',
  features: {
    database: false,
    networkFirewall: false,
    waf: true,
    documentPipeline: true,
    guardDutyRemediation: true,
    apiEndpointType: 'REGIONAL',
  },
};

function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Turns form values into the `POST /api/environments` body (the spec without `owner`). */
export function toRequestBody(values: RequestFormValues): CreateEnvironmentRequest {
  const body: CreateEnvironmentRequest = {
    environmentSuffix: values.environmentSuffix.trim(),
    kind: values.kind,
    project: values.project,
    costCenter: values.costCenter,
    dataClassification: values.dataClassification,
    complianceLevel: values.complianceLevel,
    region: values.region,
    features: { ...values.features },
    alertEmails: splitList(values.alertEmails),
    allowedCidrs: splitList(values.allowedCidrs),
  };
  const account = values.account.trim();
  if (account) body.account = account;
  const secretArn = values.existingDatabaseSecretArn.trim();
  if (secretArn) body.existingDatabaseSecretArn = secretArn;
  const ttl = values.ttlHours.trim();
  // An unparsable number is sent as NaN so the shared schema reports "must be a number" on the field.
  if (values.kind === 'ephemeral' && ttl) body.ttlHours = Number(ttl);
  return body;
}

/** Form fields that hold a list as text: errors on `alertEmails.2` belong to the `alertEmails` field. */
const LIST_FIELDS = new Set(['alertEmails', 'allowedCidrs']);

/** Every field name the form renders (errors on other paths are shown above the form). */
const FORM_FIELDS = new Set<string>([
  'environmentSuffix',
  'kind',
  'project',
  'costCenter',
  'dataClassification',
  'complianceLevel',
  'region',
  'account',
  'ttlHours',
  'alertEmails',
  'allowedCidrs',
  'existingDatabaseSecretArn',
  ...FEATURE_TOGGLES.map((toggle) => `features.${toggle}`),
  'features.apiEndpointType',
]);

/** What the form calls each spec field: the words people read next to the control. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  environmentSuffix: 'Environment suffix',
  kind: 'Kind',
  project: 'Project',
  costCenter: 'Cost center',
  dataClassification: 'Data classification',
  complianceLevel: 'Compliance level',
  region: 'Region',
  account: 'AWS account ID',
  ttlHours: 'Time to live',
  alertEmails: 'Alert emails',
  allowedCidrs: 'Allowed CIDRs',
  existingDatabaseSecretArn: 'Existing database secret ARN',
  owner: 'Owner',
};

/**
 * The schema speaks in field names ("environmentSuffix must be at least 2 characters"); the form
 * speaks in labels ("Environment suffix must be at least 2 characters"), as a sentence.
 */
export function inPeoplesWords(message: string): string {
  const worded = message.replace(/^([a-z][A-Za-z]*)(?=\b)/, (word) => FIELD_LABELS[word] ?? word);
  return worded.charAt(0).toUpperCase() + worded.slice(1);
}

export interface FormFieldError {
  /** A form field name (`features.waf`), or `root` for problems no field owns. */
  readonly name: string;
  readonly message: string;
}

/**
 * Maps the API's / the shared schema's field errors onto form fields, first
 * message per field. `alertEmails.1` becomes `alertEmails` with "item 2: …"
 * because the list is one text box.
 */
export function toFormFieldErrors(errors: readonly FieldError[]): FormFieldError[] {
  const byName = new Map<string, string>();
  for (const error of errors) {
    const [head, index] = error.path.split('.');
    let name = error.path;
    let message = inPeoplesWords(error.message);
    if (head !== undefined && LIST_FIELDS.has(head)) {
      name = head;
      if (index !== undefined && /^\d+$/.test(index))
        message = `Entry ${Number(index) + 1}: ${error.message}`;
    }
    if (!FORM_FIELDS.has(name)) {
      message = name === '(root)' ? message : `${FIELD_LABELS[error.path] ?? error.path}: ${error.message}`;
      name = 'root';
    }
    const previous = byName.get(name);
    if (previous === undefined) byName.set(name, message);
    else if (name === 'root') byName.set(name, `${previous}; ${message}`);
  }
  return [...byName].map(([name, message]) => ({ name, message }));
}

/**
 * Validates the form with the SAME shared request schema the server uses
 * (`environmentRequestSchema`: the spec without `owner`, which the server
 * takes from the session); returns the API body and the errors by form field.
 */
export function validateRequestForm(values: RequestFormValues): {
  readonly body: CreateEnvironmentRequest;
  readonly errors: FormFieldError[];
} {
  const body = toRequestBody(values);
  const result = parseEnvironmentRequest(body);
  return { body, errors: result.success ? [] : toFormFieldErrors(result.errors) };
}
