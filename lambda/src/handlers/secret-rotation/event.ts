import { z } from 'zod';
import { ROTATION_STEPS, type RotationRequest } from '../../ops/rotation/rotation';
import { ValidationError, zodFieldErrors } from '../../shared/errors';

/** What Secrets Manager sends a rotation function for each step. */
const rotationEventSchema = z.object({
  SecretId: z.string().min(1),
  ClientRequestToken: z.string().min(32).max(64),
  Step: z.enum(ROTATION_STEPS, { error: `must be one of ${ROTATION_STEPS.join(', ')}` }),
  RotationToken: z.string().min(1).optional(),
});

export function parseRotationEvent(event: unknown): RotationRequest {
  const parsed = rotationEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new ValidationError('invalid Secrets Manager rotation event', zodFieldErrors(parsed.error.issues));
  }
  return {
    secretId: parsed.data.SecretId,
    token: parsed.data.ClientRequestToken,
    step: parsed.data.Step,
    ...(parsed.data.RotationToken === undefined ? {} : { rotationToken: parsed.data.RotationToken }),
  };
}
