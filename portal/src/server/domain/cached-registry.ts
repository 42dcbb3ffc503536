import type {
  EnvironmentRecord,
  EnvironmentRegistry,
  ListOptions,
  RegisterOptions,
  RemoveOptions,
  UpdateStatusOptions,
} from '@sep/registry';

/**
 * A read-through view of the registry for the portal's hot reads: one Scan per
 * `ttlMs` however many list/detail requests arrive (single-flight), patched
 * in place by this process's own writes. Other writers (the TTL sweeper in
 * AWS) become visible within `ttlMs`.
 */
export class CachedRegistry implements EnvironmentRegistry {
  private snapshot: { readonly at: number; readonly records: Map<string, EnvironmentRecord> } | undefined;
  private inFlight: Promise<Map<string, EnvironmentRecord>> | undefined;
  /** This process's writes, kept until a scan that started after them lands. */
  private readonly patches = new Map<string, { readonly record?: EnvironmentRecord; readonly at: number }>();
  private generation = 0;

  constructor(
    private readonly inner: EnvironmentRegistry,
    private readonly ttlMs: number,
  ) {}

  async list(options: ListOptions = {}): Promise<EnvironmentRecord[]> {
    // Suffixes are lowercase ASCII: code-unit order is their alphabetical order, without collation costs.
    const records = [...(await this.all()).values()].sort((a, b) =>
      a.environmentSuffix < b.environmentSuffix ? -1 : 1,
    );
    return options.status === undefined
      ? records
      : records.filter((record) => record.status === options.status);
  }

  async get(options: { readonly environmentSuffix: string }): Promise<EnvironmentRecord | undefined> {
    if (this.fresh()) return this.snapshot?.records.get(options.environmentSuffix);
    // Stale: this read goes to the table (never older than `ttlMs`), and one rescan serves the reads after
    // it; without it, detail reads and the hub's polls would each hit the table until someone lists.
    if (this.snapshot !== undefined) void this.refresh().catch(() => undefined);
    return this.inner.get(options);
  }

  async register(options: RegisterOptions): Promise<EnvironmentRecord> {
    return this.patch(await this.inner.register(options));
  }

  async updateStatus(options: UpdateStatusOptions): Promise<EnvironmentRecord> {
    return this.patch(await this.inner.updateStatus(options));
  }

  async remove(options: RemoveOptions): Promise<void> {
    await this.inner.remove(options);
    this.snapshot?.records.delete(options.environmentSuffix);
    this.patches.set(options.environmentSuffix, { at: Date.now() });
    this.generation += 1;
  }

  listExpired(options: { readonly now: Date }): Promise<EnvironmentRecord[]> {
    return this.inner.listExpired(options);
  }

  /**
   * Changes whenever what `list()` returns may have changed (a write, or a
   * rescan that found different records): a cache key for derived views.
   * Undefined until a first snapshot exists.
   */
  get revision(): string | undefined {
    return this.snapshot === undefined ? undefined : String(this.generation);
  }

  private fresh(): boolean {
    return this.snapshot !== undefined && Date.now() - this.snapshot.at < this.ttlMs;
  }

  private patch(record: EnvironmentRecord): EnvironmentRecord {
    this.snapshot?.records.set(record.environmentSuffix, record);
    this.patches.set(record.environmentSuffix, { record, at: Date.now() });
    this.generation += 1;
    return record;
  }

  /** Fresh: the snapshot. Stale: the snapshot now, a rescan in the background. None: wait for the scan. */
  private async all(): Promise<Map<string, EnvironmentRecord>> {
    if (this.snapshot !== undefined) {
      if (!this.fresh()) void this.refresh().catch(() => undefined);
      return this.snapshot.records;
    }
    return this.refresh();
  }

  private refresh(): Promise<Map<string, EnvironmentRecord>> {
    if (this.inFlight === undefined) {
      const started = Date.now();
      this.inFlight = this.inner
        .list()
        .then((records) => {
          const map = new Map(records.map((record) => [record.environmentSuffix, record]));
          // Writes made while the scan ran win over what the scan read.
          for (const [suffix, patch] of this.patches) {
            if (patch.at < started) this.patches.delete(suffix);
            else if (patch.record === undefined) map.delete(suffix);
            else map.set(suffix, patch.record);
          }
          if (this.snapshot === undefined || !sameRecords(this.snapshot.records, map)) this.generation += 1;
          this.snapshot = { at: started, records: map };
          return map;
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.inFlight;
  }
}

/** Same suffixes at the same versions: a rescan that changed nothing keeps derived views valid. */
function sameRecords(
  before: ReadonlyMap<string, EnvironmentRecord>,
  after: ReadonlyMap<string, EnvironmentRecord>,
): boolean {
  if (before.size !== after.size) return false;
  for (const [suffix, record] of after) {
    const previous = before.get(suffix);
    if (previous === undefined || previous.version !== record.version) return false;
  }
  return true;
}
