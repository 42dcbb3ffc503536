'use client';

import { SepApiError } from '@sep/client/api-error';
import useSWR, { type SWRConfiguration } from 'swr';
import useSWRInfinite from 'swr/infinite';
import type { z } from 'zod';
import { type EnvironmentComparison, environmentComparisonSchema } from '../server/domain/comparison';
import {
  auditPageSchema,
  complianceReportSchema,
  pipelineViewSchema,
} from '../server/domain/operations-view-schemas';
import { type PromotionPreview, promotionPreviewSchema } from '../server/domain/promotion-preview-schemas';
import type {
  AuditPage,
  ComplianceReport,
  CostEstimate,
  CostEstimateRequest,
  DemoUser,
  EnvironmentDetail,
  EnvironmentList,
  PipelineView,
  Session,
  SuffixAvailability,
} from '../server/domain/types';
import {
  costEstimateSchema,
  demoUserSchema,
  environmentDetailSchema,
  environmentListSchema,
  sessionSchema,
  suffixAvailabilitySchema,
} from '../server/domain/view-schemas';
import { getJson, sendJson } from './api';

/** Do not retry answers that will not change by retrying (auth, not found, validation). */
const shouldRetry = (error: unknown) =>
  !(error instanceof SepApiError && error.status >= 400 && error.status < 500);

const BASE: SWRConfiguration = {
  onErrorRetry: (error, _key, _config, revalidate, { retryCount }) => {
    if (!shouldRetry(error) || retryCount >= 5) return;
    setTimeout(() => revalidate({ retryCount }), Math.min(30_000, 1000 * 2 ** retryCount));
  },
};

/** The SWR fetcher of a URL key whose answer `schema` describes. */
const fetching =
  <S extends z.ZodType>(schema: S) =>
  (url: string) =>
    getJson(url, schema);

const demoUsersSchema = demoUserSchema.array().readonly();

/** The signed-in user; `error.status === 401` when nobody is signed in. */
export function useSession() {
  return useSWR<Session, SepApiError>('/api/auth/session', fetching(sessionSchema), {
    ...BASE,
    revalidateOnFocus: false,
  });
}

/** The local demo users; a 404 means the portal runs in aws mode. */
export function useDemoUsers() {
  return useSWR<readonly DemoUser[], SepApiError>('/api/auth/demo-users', fetching(demoUsersSchema), {
    ...BASE,
    revalidateOnFocus: false,
  });
}

/** How often the list refreshes: statuses move on their own during deployments. */
const LIST_REFRESH_MS = 5000;

export function useEnvironments() {
  const pages = useSWRInfinite<EnvironmentList, SepApiError>(
    (index, previous: EnvironmentList | null) => {
      if (index === 0) return '/api/environments';
      const cursor = previous?.nextCursor;
      return cursor === undefined ? null : `/api/environments?cursor=${encodeURIComponent(cursor)}`;
    },
    fetching(environmentListSchema),
    { ...BASE, refreshInterval: LIST_REFRESH_MS },
  );
  const loaded = pages.data ?? [];
  const last = loaded.at(-1);
  return {
    /** Every environment on the pages loaded so far, in suffix order. */
    environments: loaded.flatMap((page) => page.environments),
    /** Figures over all environments, loaded or not (from the newest first page). */
    first: loaded[0],
    hasMore: last?.nextCursor !== undefined,
    loadingMore: pages.isValidating && pages.size > loaded.length,
    loadMore: () => pages.setSize(pages.size + 1),
    error: pages.error,
  };
}

/**
 * One environment. `pollMs` re-reads it periodically: the detail page sets it
 * while the platform works but the live stream is down, so progress still moves.
 */
export function useEnvironment(suffix: string, options: { readonly pollMs: number }) {
  return useSWR<EnvironmentDetail, SepApiError>(
    `/api/environments/${encodeURIComponent(suffix)}`,
    fetching(environmentDetailSchema),
    {
      ...BASE,
      refreshInterval: options.pollMs,
    },
  );
}

/**
 * The compliance report. `revision` (e.g. the environment status) is part of
 * the cache key: the report appears after synth, so a new status re-reads it.
 */
export function useCompliance(
  suffix: string,
  options: { readonly enabled: boolean; readonly revision: string },
) {
  return useSWR<ComplianceReport, SepApiError, readonly [string, string] | null>(
    options.enabled ? [`/api/environments/${encodeURIComponent(suffix)}/compliance`, options.revision] : null,
    ([url]: readonly [string, string]) => getJson(url, complianceReportSchema),
    { ...BASE, keepPreviousData: true },
  );
}

/** Two environments side by side; `null` while the pair is not chosen. */
export function useComparison(pair: { readonly left: string; readonly right: string } | null) {
  return useSWR<EnvironmentComparison, SepApiError>(
    pair === null
      ? null
      : `/api/environments/compare?left=${encodeURIComponent(pair.left)}&right=${encodeURIComponent(pair.right)}`,
    fetching(environmentComparisonSchema),
    { ...BASE, revalidateOnFocus: false },
  );
}

/** The pipeline changes while an execution runs; poll it while the page is open. */
const PIPELINE_REFRESH_MS = 3000;

export function usePipeline() {
  return useSWR<PipelineView, SepApiError>('/api/pipeline', fetching(pipelineViewSchema), {
    ...BASE,
    refreshInterval: PIPELINE_REFRESH_MS,
  });
}

/**
 * The promotion preview of the execution waiting at PromoteToProd (approvers only: pass `enabled` false
 * otherwise). Keyed by the execution, so a new one waiting is previewed afresh; the server caches it.
 */
export function usePromotionPreview(executionId: string | undefined, enabled: boolean) {
  return useSWR<PromotionPreview, SepApiError>(
    executionId !== undefined && enabled ? ['/api/pipeline/promotion/preview', executionId] : null,
    ([url]: readonly [string, string]) => getJson(url, promotionPreviewSchema),
    { ...BASE, revalidateOnFocus: false },
  );
}

/** The audit log, newest first, one page of `limit` entries at a time; `loadMore` appends older ones. */
export function useAuditLog(options: { readonly limit: number }) {
  const pages = useSWRInfinite<AuditPage, SepApiError>(
    (index, previous: AuditPage | null) => {
      const query = new URLSearchParams({ limit: String(options.limit) });
      if (index > 0) {
        if (previous?.nextBefore === undefined) return null;
        query.set('before', previous.nextBefore);
      }
      return `/api/audit?${query}`;
    },
    fetching(auditPageSchema),
    BASE,
  );
  const loaded = pages.data ?? [];
  return {
    entries: loaded.flatMap((page) => page.entries),
    loaded: pages.data !== undefined,
    hasMore: loaded.at(-1)?.nextBefore !== undefined,
    loadingMore: pages.isValidating && pages.size > loaded.length,
    loadMore: () => pages.setSize(pages.size + 1),
    error: pages.error,
  };
}

/** Availability of a suffix; `null` keeps the hook idle (empty or not yet debounced). */
export function useSuffixAvailability(suffix: string | null) {
  return useSWR<SuffixAvailability, SepApiError>(
    suffix ? `/api/suffix-availability?suffix=${encodeURIComponent(suffix)}` : null,
    fetching(suffixAvailabilitySchema),
    { ...BASE, revalidateOnFocus: false, dedupingInterval: 2000 },
  );
}

/** A cost estimate for a (partial) request; `null` keeps the hook idle. */
export function useCostEstimate(body: CostEstimateRequest | null) {
  return useSWR<CostEstimate, SepApiError, readonly [string, string] | null>(
    body ? ['/api/cost-estimate', JSON.stringify(body)] : null,
    ([url, json]: readonly [string, string]) =>
      sendJson({ method: 'POST', url, body: JSON.parse(json), schema: costEstimateSchema }),
    { ...BASE, revalidateOnFocus: false, keepPreviousData: true },
  );
}
