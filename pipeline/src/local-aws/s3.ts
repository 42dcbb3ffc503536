import { mkdir } from 'node:fs/promises';

export interface StartLocalS3Options {
  /** Where objects are stored (plain files). */
  readonly dataDir: string;
  /** Buckets to create at start. @default none */
  readonly buckets?: readonly string[];
}

export interface LocalS3 {
  /** `http://127.0.0.1:<port>`: set as AWS_ENDPOINT_URL_S3 (the SDK uses path-style for an IP endpoint). */
  readonly endpoint: string;
  close(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

/**
 * An S3-compatible server on loopback (s3rver: S3's REST API over files; it checks SigV4 against the
 * local key pair, `LOCAL_CREDENTIALS`), so code that reads and writes S3 in AWS runs unchanged locally.
 */
export async function startLocalS3(options: StartLocalS3Options): Promise<LocalS3> {
  await mkdir(options.dataDir, { recursive: true });
  const S3rver = await loadS3rver();
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: options.dataDir,
    silent: true,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  const { port } = await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** Loaded on first use through a specifier bundlers cannot follow (the portal must not bundle it). */
async function loadS3rver(): Promise<S3rverConstructor> {
  const specifier = 's3rver';
  const loaded = (await import(/* webpackIgnore: true */ specifier)) as
    | S3rverConstructor
    | { default: S3rverConstructor };
  return 'default' in loaded ? loaded.default : loaded;
}
