/**
 * A template whose one security group lets HTTPS in from `cidrs`: adding `0.0.0.0/0` to what is deployed is
 * the preview's widening case (tests of the diff, both platforms' sources, the use case and the e2e page).
 */
export function securityGroupTemplate(cidrs: readonly string[], logicalId = 'ApiSg') {
  return {
    Resources: {
      [logicalId]: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: 'api',
          SecurityGroupIngress: cidrs.map((CidrIp) => ({
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            CidrIp,
          })),
        },
      },
    },
  };
}
