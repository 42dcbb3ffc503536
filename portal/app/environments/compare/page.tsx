import type { Metadata } from 'next';
import { EnvironmentComparisonView } from '../../../src/components/compare/EnvironmentComparisonView';

interface ComparePageProps {
  readonly searchParams: Promise<{ left?: string | string[]; right?: string | string[] }>;
}

const one = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

export async function generateMetadata({ searchParams }: ComparePageProps): Promise<Metadata> {
  const { left, right } = await searchParams;
  const pair = [one(left), one(right)].filter(Boolean);
  return { title: pair.length === 2 ? `Compare ${pair.join(' and ')}` : 'Compare environments' };
}

export default async function ComparePage({ searchParams }: ComparePageProps) {
  const { left, right } = await searchParams;
  return <EnvironmentComparisonView left={one(left)} right={one(right)} />;
}
