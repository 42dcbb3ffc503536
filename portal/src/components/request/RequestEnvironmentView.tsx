'use client';

import Link from 'next/link';
import { useSession } from '../../client/hooks';
import { Alert, Skeleton } from '../../ui';
import { RequestEnvironmentForm } from './RequestEnvironmentForm';

/** The request page: the form for users who may request, an explanation for those who may not. */
export function RequestEnvironmentView() {
  const session = useSession();
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/">Environments</Link> / Request
      </nav>
      <div className="page-header">
        <div>
          <h1>Request an environment</h1>
          <p>
            Everything is validated with the same schema the API and the pipeline use; the stage is
            synthesized and checked against the cdk-nag compliance packs before it deploys.
          </p>
        </div>
      </div>
      {session.data ? (
        session.data.can.requestEnvironment ? (
          <RequestEnvironmentForm isAdmin={session.data.user.roles.includes('admin')} />
        ) : (
          <Alert tone="warning" title="Your role cannot request environments">
            <p>Engineers and admins request environments; approvers promote releases to prod.</p>
          </Alert>
        )
      ) : (
        <Skeleton label="Loading" />
      )}
    </>
  );
}
