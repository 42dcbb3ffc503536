import type { Metadata } from 'next';
import { safeNextPath } from '../../src/client/safe-next';
import { SignInPanel } from '../../src/components/auth/SignInPanel';

export const metadata: Metadata = { title: 'Sign in' };

interface SignInPageProps {
  /** `next`: where to go after signing in (checked by `safeNextPath`). */
  readonly searchParams: Promise<{ next?: string | string[] }>;
}

export default async function SignInPage({ searchParams }: SignInPageProps) {
  const { next } = await searchParams;
  return <SignInPanel next={safeNextPath(next)} />;
}
