import { ComposedPlatform } from '../composed-platform';
import { AwsCompliance } from './aws-compliance';
import { AwsContext, type AwsPlatformOptions } from './aws-context';
import { AwsDeployment } from './aws-deployment';
import { AwsPromotion } from './aws-promotion';
import { AwsProvenance } from './aws-provenance';

export type { AwsPlatformOptions } from './aws-context';
export { OUTPUTS_OF_PREVIOUS_VERSION } from './stack-events';

/**
 * The real platform: CodePipeline runs, CloudFormation deploys, AWS Config judges. One service per
 * capability of the port, on one shared context (clients, clock, pipeline-state cache).
 */
export class AwsPlatform extends ComposedPlatform {
  constructor(options: AwsPlatformOptions) {
    const aws = new AwsContext(options);
    super({
      mode: 'aws',
      simulated: false,
      deployment: new AwsDeployment(aws),
      compliance: new AwsCompliance(aws),
      pipeline: new AwsPromotion(aws),
      provenance: new AwsProvenance(aws),
      close: async () => aws.close(),
    });
  }
}
