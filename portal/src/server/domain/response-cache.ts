import type { EnvironmentRecord } from '@sep/registry';
import { LRUCache } from 'lru-cache';
import type { DeploymentSnapshot } from '../platform/port';
import type { Observation } from './reconciler';

export interface ResponseCacheOptions {
  /**
   * Changes whenever the registry's list may have changed; when given, the serialized list is reused
   * per user until it does (1,000 environments make a ~0.5 MB answer that would otherwise be rebuilt on
   * every request).
   */
  readonly listRevision?: () => string | undefined;
  /**
   * Bound of the encoded detail bodies kept for reuse (one per environment and set of rights; ~110 KB
   * each with 150 resources). @default 192 MiB: 1,000+ environments of that size.
   */
  readonly detailBodyCacheBytes?: number;
}

const DEFAULT_DETAIL_BODY_CACHE_BYTES = 192 * 1024 * 1024;
/** Users × filters × pages of one registry revision worth keeping. */
const MAX_LIST_BODIES = 200;

/** The encoded detail of one observation of an environment, for one set of rights. */
interface DetailBody {
  readonly record: EnvironmentRecord;
  readonly snapshot: DeploymentSnapshot;
  readonly body: Uint8Array<ArrayBuffer>;
}

/**
 * Encoded (UTF-8 JSON) answers of the two hottest reads, reused while what they show is unchanged.
 * Bytes, not strings: a body would otherwise be re-encoded per request. Caching only: every body is
 * built by the caller's projection, so a miss and a hit answer the same bytes.
 */
export class ResponseCache {
  private readonly listBodies = new LRUCache<string, Promise<Uint8Array<ArrayBuffer>>>({
    max: MAX_LIST_BODIES,
  });
  private readonly detailBodies: LRUCache<string, DetailBody>;

  constructor(private readonly options: ResponseCacheOptions = {}) {
    this.detailBodies = new LRUCache<string, DetailBody>({
      maxSize: Math.max(1, Math.floor(options.detailBodyCacheBytes ?? DEFAULT_DETAIL_BODY_CACHE_BYTES)),
      sizeCalculation: (entry) => Math.max(1, entry.body.byteLength),
    });
  }

  /**
   * The list for `key` (who asks and which page) at the registry's current revision; concurrent misses
   * share one build (50 clients arriving after a write must not build 50 bodies).
   */
  listBody(key: string, build: () => Promise<unknown>): Promise<Uint8Array<ArrayBuffer>> {
    const encoded = () => build().then(encode);
    const revision = this.options.listRevision?.();
    if (revision === undefined) return encoded();
    const revisionKey = `${revision}|${key}`;
    const cached = this.listBodies.get(revisionKey);
    if (cached !== undefined) return cached;
    const body = encoded();
    this.listBodies.set(revisionKey, body);
    // Kept only if nothing changed while it was built, so no key ever holds older data.
    body.then(
      () => {
        if (this.options.listRevision?.() !== revision) this.listBodies.delete(revisionKey);
      },
      () => this.listBodies.delete(revisionKey),
    );
    return body;
  }

  /**
   * The detail of `observation` for one set of `rights` (the view's only user-specific part), reused
   * while the platform hands back the same snapshot object and the registry the same record version.
   * Synchronous: concurrent readers of one observation resume one by one, the first builds.
   */
  detailBody(observation: Observation, rights: string, build: () => unknown): Uint8Array<ArrayBuffer> {
    const { record, snapshot } = observation;
    const key = `${record.environmentSuffix}|${rights}`;
    const cached = this.detailBodies.get(key);
    if (cached !== undefined && cached.snapshot === snapshot && sameRecordVersion(cached.record, record))
      return cached.body;
    const body = encode(build());
    this.detailBodies.set(key, { record, snapshot, body });
    return body;
  }
}

function encode(value: unknown): Uint8Array<ArrayBuffer> {
  return Buffer.from(JSON.stringify(value));
}

/** Every registry write bumps `version`; a re-registered suffix starts over with a new `createdAt`. */
function sameRecordVersion(a: EnvironmentRecord, b: EnvironmentRecord): boolean {
  return a === b || (a.version === b.version && a.createdAt === b.createdAt && a.updatedAt === b.updatedAt);
}
