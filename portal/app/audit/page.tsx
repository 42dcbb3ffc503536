import type { Metadata } from 'next';
import { AuditLogView } from '../../src/components/audit/AuditLogView';

export const metadata: Metadata = { title: 'Audit log' };

export default function AuditPage() {
  return <AuditLogView />;
}
