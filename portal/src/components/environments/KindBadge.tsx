import type { EnvironmentKind } from '../../server/domain/types';
import { Badge } from '../../ui';

/** Ephemeral, staging or prod; prod stands out because mistakes there cost the most. */
export function KindBadge({ kind }: { readonly kind: EnvironmentKind }) {
  return <Badge tone={kind === 'prod' ? 'danger' : kind === 'staging' ? 'warning' : 'neutral'}>{kind}</Badge>;
}
