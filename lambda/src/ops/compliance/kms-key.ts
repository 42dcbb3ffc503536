/**
 * True when `configured` names the same KMS key as `expectedKeyArn`: the key ARN itself or
 * its bare key ID (S3 and CloudWatch Logs report either). An alias is refused: resolving it
 * would need kms:DescribeKey, and a rule that trusts a name it cannot check is not a control.
 */
export function isSameKmsKey(configured: string | null | undefined, expectedKeyArn: string): boolean {
  if (configured === null || configured === undefined || configured.length === 0) return false;
  if (configured === expectedKeyArn) return true;
  const keyId = /:key\/([0-9a-zA-Z-]+)$/.exec(expectedKeyArn)?.[1];
  return keyId !== undefined && configured === keyId;
}
