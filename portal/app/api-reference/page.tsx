import type { Metadata } from 'next';
import { ApiReferenceView } from '../../src/components/api-reference/ApiReferenceView';

export const metadata: Metadata = { title: 'API reference' };

export default function ApiReferencePage() {
  return <ApiReferenceView />;
}
