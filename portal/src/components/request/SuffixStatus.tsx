interface SuffixStatusProps {
  readonly state: string | undefined;
  readonly suffix: string;
  readonly hasClientError: boolean;
  readonly serverMessage?: string;
}

/** The live availability line under the suffix field. */
export function SuffixStatus({ state, suffix, hasClientError, serverMessage }: SuffixStatusProps) {
  if (state === undefined || (hasClientError && state !== 'taken')) {
    return <p className="field__status" data-testid="suffix-availability" />;
  }
  const text =
    state === 'checking'
      ? `Checking whether ${suffix} is free…`
      : state === 'available'
        ? `✓ ${suffix} is available`
        : state === 'taken'
          ? `✗ ${suffix} is already registered`
          : state === 'invalid'
            ? `✗ ${serverMessage ?? 'not a valid suffix'}`
            : 'Availability could not be checked; the portal checks again on submit.';
  const tone = state === 'available' ? 'ok' : state === 'checking' || state === 'error' ? 'pending' : 'bad';
  return (
    <p
      className={`field__status field__status--${tone}`}
      data-testid="suffix-availability"
      data-state={state}
    >
      {text}
    </p>
  );
}
