'use client';

import { useEnvironments } from '../../client/hooks';

export interface CompareWithControlProps {
  /** The environment on the left of the comparison (the one whose page this is). */
  readonly suffix: string;
}

/**
 * "Compare with…": a plain GET form to the comparison page (works before scripts load); the choices are
 * the other environments that are not destroyed.
 */
export function CompareWithControl({ suffix }: CompareWithControlProps) {
  const { environments } = useEnvironments();
  const others = environments
    .filter((environment) => environment.environmentSuffix !== suffix && environment.status !== 'destroyed')
    .map((environment) => environment.environmentSuffix);
  if (others.length === 0) return null;
  return (
    <form className="row compare-with" action="/environments/compare" method="get" data-testid="compare-with">
      <input type="hidden" name="left" value={suffix} />
      <label className="small" htmlFor="compare-with-right">
        Compare with
      </label>
      <select
        id="compare-with-right"
        name="right"
        className="select select--small"
        defaultValue={others.includes('prod') ? 'prod' : others[0]}
        data-testid="compare-with-right"
      >
        {others.map((other) => (
          <option key={other} value={other}>
            {other}
          </option>
        ))}
      </select>
      <button
        type="submit"
        className="button button--secondary button--small"
        data-testid="compare-with-submit"
      >
        Compare
      </button>
    </form>
  );
}
