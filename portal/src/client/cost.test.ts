import { featureCosts } from './cost';

it('sums the price-table lines each feature turns on and leaves the baseline out', () => {
  expect(
    featureCosts({
      currency: 'USD',
      monthlyUsd: 2000,
      priceTableAsOf: '2026-11-01',
      region: 'us-east-1',
      lines: [
        { item: 'interfaceEndpoints', label: 'Interface endpoints', monthlyUsd: 153.3, basis: '' },
        {
          item: 'networkFirewall',
          label: 'Firewall endpoints',
          monthlyUsd: 865.05,
          basis: '',
          feature: 'networkFirewall',
        },
        {
          item: 'networkFirewallData',
          label: 'Firewall data',
          monthlyUsd: 6.5,
          basis: '',
          feature: 'networkFirewall',
        },
        { item: 'aurora', label: 'Aurora', monthlyUsd: 87.6, basis: '', feature: 'database' },
      ],
    }),
  ).toEqual({ networkFirewall: 871.55, database: 87.6 });
  expect(featureCosts(undefined)).toEqual({});
});
