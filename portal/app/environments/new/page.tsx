import type { Metadata } from 'next';
import { RequestEnvironmentView } from '../../../src/components/request/RequestEnvironmentView';

export const metadata: Metadata = { title: 'Request an environment' };

export default function RequestEnvironmentPage() {
  return <RequestEnvironmentView />;
}
