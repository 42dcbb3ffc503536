// Account-level names (no suffix): environment stacks take the trail log group name from here, not the stack.
import { physicalName } from '@sep/spec';

/** Account-level names carry no environment suffix. */
export const ACCOUNT = { suffix: '' } as const;

/** Name of the CloudTrail log group in every account and region; environment stacks watch it. */
export const ACCOUNT_TRAIL_LOG_GROUP_NAME = physicalName('accountTrailLogGroup', ACCOUNT);
