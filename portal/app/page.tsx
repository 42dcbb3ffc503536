import type { Metadata } from 'next';
import { EnvironmentListView } from '../src/components/environments/EnvironmentListView';

export const metadata: Metadata = { title: 'Environments' };

export default function EnvironmentsPage() {
  return <EnvironmentListView />;
}
