/**
 * SSM parameters through which the pipeline stack hands the portal stack the names CloudFormation
 * generated for the platform's tables, bucket and evidence signing key: the portal stack is deployed by the pipeline in a
 * stage of its own, and a stage cannot reference another stack's resources directly.
 */
export function platformParameterNames(pipelineName: string) {
  // Parameter names allow letters, digits and . - _ /; pipeline names also allow `@`.
  const prefix = `/sep/${pipelineName.replace(/[^\w.-]/g, '-')}/platform/`;
  return {
    registryTable: `${prefix}registry-table-name`,
    auditTable: `${prefix}audit-table-name`,
    sessionTable: `${prefix}session-table-name`,
    evidenceSigningKey: `${prefix}evidence-signing-key-arn`,
    complianceReportsBucket: `${prefix}compliance-reports-bucket-name`,
  } as const;
}
