// AWS-compatible endpoints on loopback for local mode and the delivery rehearsals: S3 (s3rver), and the
// credentials, STS, API Gateway and execute-api endpoints of `startLocalAwsEndpoints`. DynamoDB is
// dynalite (`@sep/registry`). No aws-cdk-lib.
export {
  LOCAL_CREDENTIALS,
  type LocalApi,
  type LocalApiDirectory,
  type LocalApiKey,
  type LocalApiMethod,
  type LocalAwsEndpoints,
  type LocalRequestRecord,
  type StartLocalAwsEndpointsOptions,
  startLocalAwsEndpoints,
} from './endpoints';
export { type LocalS3, type StartLocalS3Options, startLocalS3 } from './s3';
