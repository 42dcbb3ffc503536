import { ComposedPlatform } from '../composed-platform';
import { LocalCompliance } from './local-compliance';
import { LocalDelivery, type LocalPlatformOptions } from './local-delivery';
import { LocalDeployment } from './local-deployment';
import { LocalPromotion } from './local-promotion';
import { LocalProvenance } from './local-provenance';

export { LOCAL_COMPLIANCE_BUCKET, type LocalPlatformOptions } from './local-delivery';

/**
 * The local delivery platform plays the pipeline that was actually synthesized. Each run exports the
 * registry and synthesizes the pipeline app with the synth step's own commands (read from the deployed
 * pipeline's buildspec, run against local DynamoDB and S3), and the player runs the synthesized
 * CodePipeline's stages and actions: each CloudFormation action's stack is played from its own
 * template's resource graph, the approval waits for the approval call, and each smoke action runs the
 * bundled smoke script against the environment's API as the local endpoints serve it. An environment's
 * progress is its place in that run and its stack's state.
 */
export class LocalPlatform extends ComposedPlatform {
  constructor(options: LocalPlatformOptions) {
    const delivery = new LocalDelivery(options);
    const deployment = new LocalDeployment(delivery);
    super({
      mode: 'local',
      simulated: true,
      deployment,
      compliance: new LocalCompliance(delivery, deployment),
      pipeline: new LocalPromotion(delivery),
      provenance: new LocalProvenance(delivery),
      close: () => delivery.close(),
    });
  }
}
