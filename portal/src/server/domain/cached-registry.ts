import type {
  EnvironmentRecord,
  EnvironmentRegistry,
  ListOptions,
  RegisterOptions,
  RemoveOptions,
  UpdateStatusOptions,
} from '@sep/pipeline/registry';

/**
 * A read-through view of the registry for the portal's hot reads: one Scan per
 * `ttlMs` however many list/detail requests arrive (single-flight), patched
 * in place by this process's own writes. Other writers (the TTL sweeper in
 * AWS) become visible within `ttlMs`.
 */
export class CachedRegistry implements EnvironmentRegistry {
  private snapshot: { readonly at: number; readonly records: Map<string, EnvironmentRecord> } | undefined;
  private inFlight: Promise<Map<string, EnvironmentRecord>> | undefined;
  private generation = 0;

  constructor(
    private readonly inner: EnvironmentRegistry,
    private readonly ttlMs: number,
  ) {}

  async list(options: ListOptions = {}): Promise<EnvironmentRecord[]> {
    const records = [...(await this.all()).values()].sort((a, b) =>
      a.environmentSuffix.localeCompare(b.environmentSuffix),
    );
    return options.status === undefined
      ? records
      : records.filter((record) => record.status === options.status);
  }

  async get(options: { readonly environmentSuffix: string }): Promise<EnvironmentRecord | undefined> {
    if (this.fresh()) return this.snapshot?.records.get(options.environmentSuffix);
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
    this.invalidate();
  }

  listExpired(options: { readonly now: Date }): Promise<EnvironmentRecord[]> {
    return this.inner.listExpired(options);
  }

  /**
   * Changes whenever what `list()` returns may have changed: a cache key for
   * derived views. Undefined while no fresh snapshot exists.
   */
  get revision(): string | undefined {
    return this.fresh() ? `${this.snapshot?.at}:${this.generation}` : undefined;
  }

  invalidate(): void {
    this.snapshot = undefined;
    this.generation += 1;
  }

  private fresh(): boolean {
    return this.snapshot !== undefined && Date.now() - this.snapshot.at < this.ttlMs;
  }

  private patch(record: EnvironmentRecord): EnvironmentRecord {
    this.snapshot?.records.set(record.environmentSuffix, record);
    // A scan started before this write must not overwrite it with older data.
    this.generation += 1;
    return record;
  }

  private async all(): Promise<Map<string, EnvironmentRecord>> {
    if (this.fresh() && this.snapshot) return this.snapshot.records;
    if (this.inFlight === undefined) {
      const generation = this.generation;
      const started = Date.now();
      this.inFlight = this.inner
        .list()
        .then((records) => {
          const map = new Map(records.map((record) => [record.environmentSuffix, record]));
          if (generation === this.generation) this.snapshot = { at: started, records: map };
          return map;
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.inFlight;
  }
}
