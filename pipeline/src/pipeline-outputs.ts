// The pipeline stack's outputs: the names and ARNs an operator copies into the portal's configuration
// (each description names the PORTAL_* variable it feeds).
import { releasePipelineName } from '@sep/registry/names';
import { targetKey } from '@sep/registry/targets';
import { CfnOutput } from 'aws-cdk-lib';
import type { PipelineStack } from './pipeline-stack';

export function addPipelineOutputs(stack: PipelineStack, pipelineName: string): void {
  new CfnOutput(stack, 'RegistryTableName', { value: stack.registry.table.tableName });
  new CfnOutput(stack, 'PortalAuditTableName', { value: stack.auditLog.table.tableName });
  new CfnOutput(stack, 'EvidenceSigningKeyArn', {
    value: stack.evidenceSigning.key.keyArn,
    description: "The portal's PORTAL_EVIDENCE_KMS_KEY_ID: signs PCI DSS evidence bundles (ECDSA P-256)",
  });
  new CfnOutput(stack, 'PortalSessionTableName', {
    value: stack.sessions.table.tableName,
    description: "The portal's PORTAL_SESSION_TABLE: sessions ended on the server",
  });
  new CfnOutput(stack, 'PipelineName', { value: pipelineName });
  new CfnOutput(stack, 'ReleasePipelineName', {
    value: releasePipelineName(pipelineName),
    description: "The portal's PORTAL_RELEASE_PIPELINE_NAME: staging, PromoteToProd, prod",
  });
  new CfnOutput(stack, 'DeploymentTargets', {
    value: stack.targets.map(targetKey).join(','),
    description: "The portal's PORTAL_DEPLOYMENT_TARGETS: the bootstrapped account/region pairs",
  });
  new CfnOutput(stack, 'PortalRoleArn', { value: stack.portalRole.role.roleArn });
  new CfnOutput(stack, 'OwnerNotificationTopicArn', { value: stack.notifyTopic.topicArn });
  new CfnOutput(stack, 'ComplianceReportsBucketName', {
    value: stack.complianceReports.bucket.bucketName,
    description:
      "The portal's PORTAL_COMPLIANCE_REPORTS_BUCKET: cdk-nag reports at nag-reports/<suffix>.json",
  });
}
