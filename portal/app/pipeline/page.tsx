import type { Metadata } from 'next';
import { PipelineViewPage } from '../../src/components/pipeline/PipelineViewPage';

export const metadata: Metadata = { title: 'Pipeline' };

export default function PipelinePage() {
  return <PipelineViewPage />;
}
