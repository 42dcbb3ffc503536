import type { Metadata } from 'next';
import { EnvironmentDetailView } from '../../../src/components/detail/EnvironmentDetailView';

/** The dynamic segment: the environment suffix. */
interface EnvironmentPageProps {
  readonly params: Promise<{ suffix: string }>;
}

export async function generateMetadata({ params }: EnvironmentPageProps): Promise<Metadata> {
  const { suffix } = await params;
  return { title: `Environment ${suffix}` };
}

export default async function EnvironmentPage({ params }: EnvironmentPageProps) {
  const { suffix } = await params;
  return <EnvironmentDetailView suffix={suffix} />;
}
