import type { ComplianceReport, DriftReport } from '../../domain/types';
import { type ComplianceService, type EnvironmentTarget, NotDeployedError } from '../port';
import { readPublishedNagReport } from '../published-nag-report';
import { LOCAL_COMPLIANCE_BUCKET, type LocalDelivery } from './local-delivery';
import type { LocalDeployment } from './local-deployment';

/** Compliance on this machine: the cdk-nag report the synth step published to the local S3; no drift happens here. */
export class LocalCompliance implements ComplianceService {
  constructor(
    private readonly delivery: LocalDelivery,
    private readonly deployment: LocalDeployment,
  ) {}

  async compliance({ record }: EnvironmentTarget): Promise<ComplianceReport> {
    const { s3Client } = await this.delivery.localServices();
    return {
      environmentSuffix: record.environmentSuffix,
      static: await readPublishedNagReport({
        s3: s3Client,
        bucket: LOCAL_COMPLIANCE_BUCKET,
        environmentSuffix: record.environmentSuffix,
        unconfigured: 'no compliance-reports bucket',
      }),
      runtime: {
        available: false,
        unavailableReason: 'local mode: AWS Config rule results exist only in aws mode',
        rules: [],
      },
    };
  }

  async detectDrift({ record }: EnvironmentTarget): Promise<DriftReport> {
    const snapshot = await this.deployment.describe({ record });
    if (snapshot.progress.phase !== 'complete') {
      throw new NotDeployedError(
        `environment "${record.environmentSuffix}" has no deployed stack to check for drift`,
      );
    }
    // Nothing changes resources out of band on this machine: every resource is as deployed.
    return {
      environmentSuffix: record.environmentSuffix,
      status: 'IN_SYNC',
      detectedAt: this.delivery.clock().toISOString(),
      driftedResources: [],
      simulated: true,
    };
  }
}
