import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createLocalDynamoClient,
  createRegistryTable,
  DynamoDbEnvironmentRegistry,
  type EnvironmentRegistry,
  type LocalDynamo,
  SuffixTakenError,
  startLocalDynamo,
} from '@sep/registry';
import { type EnvironmentSpecInput, parseEnvironmentSpec } from '@sep/spec';
import { createAuditTable, DynamoDbAuditStore } from './audit/audit-store';
import { Authenticator } from './auth/authenticator';
import { createSessionTable, SessionRevocations } from './auth/revocations';
import { SessionSigner } from './auth/session';
import { type PortalConfig, portalConfig } from './config';
import { CachedRegistry } from './domain/cached-registry';
import { ComparisonService } from './domain/comparison';
import { EnvironmentService } from './domain/environment-service';
import { SYSTEM_ACTOR } from './domain/reconciler';
import { createEvidenceSigner, EvidenceService } from './evidence/evidence-service';
import { logger } from './logger';
import { AwsPlatform } from './platform/aws/aws-platform';
import { LocalPlatform } from './platform/local/local-platform';
import type { PlatformPort } from './platform/port';

export interface PortalRuntime {
  readonly config: PortalConfig;
  readonly service: EnvironmentService;
  readonly auth: Authenticator;
  readonly registry: EnvironmentRegistry;
  /** Whether this instance can serve: its stores answer (the load balancer's health check). */
  readiness(): Promise<Readiness>;
  /** PCI DSS v4.0 evidence bundles (signed). */
  readonly evidence: EvidenceService;
  /** Two environments side by side (spec, deployed resources, compliance, cost). */
  readonly comparison: ComparisonService;
  close(): Promise<void>;
}

export interface Readiness {
  readonly ready: boolean;
  /** Per store: reachable and active, or not. */
  readonly checks: { readonly registry: boolean; readonly audit: boolean };
}

const LOCAL_REGISTRY_TABLE = 'sep-environment-registry';
const LOCAL_AUDIT_TABLE = 'sep-portal-audit';
const LOCAL_SESSION_TABLE = 'sep-portal-sessions';

/** The persistent environments a fresh local portal starts with, so the pipeline has something to promote. */
export const SEED_ENVIRONMENTS: readonly EnvironmentSpecInput[] = [
  {
    environmentSuffix: 'staging',
    kind: 'staging',
    owner: 'platform-team',
    project: 'secure-environments',
    costCenter: 'CC-PLATFORM',
    alertEmails: ['platform-alerts@example.com'],
  },
  {
    environmentSuffix: 'prod',
    kind: 'prod',
    owner: 'platform-team',
    project: 'secure-environments',
    costCenter: 'CC-PLATFORM',
    alertEmails: ['platform-alerts@example.com'],
  },
];

export interface CreateRuntimeOptions {
  readonly config: PortalConfig;
}

/** Wires stores, platform, service and auth for the configured mode. */
export async function createRuntime({ config }: CreateRuntimeOptions): Promise<PortalRuntime> {
  const closers: (() => Promise<void> | void)[] = [];
  let dynamo: DynamoDBClient;
  let registryTable = config.aws.registryTableName;
  let auditTable = config.aws.auditTableName;
  let sessionTable = config.aws.sessionTableName;
  let localEndpoint: string | undefined;
  if (config.mode === 'local') {
    const local: LocalDynamo = await startLocalDynamo({ dataDir: path.join(config.dataDir, 'dynamo') });
    localEndpoint = local.endpoint;
    closers.push(() => local.close());
    dynamo = createLocalDynamoClient({ endpoint: local.endpoint });
    registryTable = LOCAL_REGISTRY_TABLE;
    auditTable = LOCAL_AUDIT_TABLE;
    sessionTable = LOCAL_SESSION_TABLE;
    await createRegistryTable({ client: dynamo, tableName: registryTable });
    await createAuditTable({ client: dynamo, tableName: auditTable });
    await createSessionTable({ client: dynamo, tableName: sessionTable });
  } else {
    // AWS_ENDPOINT_URL_DYNAMODB and friends are honoured by the SDK's own config resolution.
    dynamo = new DynamoDBClient({
      ...(config.aws.region ? { region: config.aws.region } : {}),
      retryMode: 'adaptive',
      maxAttempts: 6,
    });
  }
  closers.push(() => dynamo.destroy());
  const storedRegistry = new DynamoDbEnvironmentRegistry({
    tableName: registryTable,
    client: dynamo,
    onInvalidEntry: (entry) =>
      logger.warn(
        { environmentSuffix: entry.environmentSuffix, errors: entry.errors },
        'skipping invalid registry entry',
      ),
  });
  // Locally the portal is the registry's only writer; in AWS the sweeper also writes, so rescan sooner.
  const registry = new CachedRegistry(storedRegistry, config.mode === 'local' ? 30_000 : 5_000);
  const audit = new DynamoDbAuditStore({ tableName: auditTable, client: dynamo });
  const platform: PlatformPort =
    config.mode === 'local'
      ? new LocalPlatform({
          registry,
          registryStore: { endpoint: localEndpoint as string, tableName: registryTable },
          dataDir: path.join(config.dataDir, 'platform'),
          repoRoot: config.repoRoot,
          speedFactor: config.speedFactor,
          ...(config.failResourceType === undefined ? {} : { failResourceType: config.failResourceType }),
          ...(config.holdBeforeResourceType === undefined
            ? {}
            : { holdBeforeResourceType: config.holdBeforeResourceType }),
        })
      : new AwsPlatform({
          ...(config.aws.region ? { region: config.aws.region } : {}),
          pipelineName: config.aws.pipelineName,
          releasePipelineName: config.aws.releasePipelineName,
          approvalActionName: config.aws.approvalActionName,
          // parseConfig requires PORTAL_PIPELINE_ACCOUNT in aws mode.
          defaultAccount: config.deployment?.defaultAccount ?? '',
          ...(config.aws.complianceReportsBucket === undefined
            ? {}
            : { complianceReportsBucket: config.aws.complianceReportsBucket }),
          // Destroys go through @sep/registry/teardown, writing through the same cached registry.
          registry,
        });
  closers.push(() => platform.close());
  const service = new EnvironmentService({
    registry,
    platform,
    audit,
    listRevision: () => registry.revision,
    pollIntervalMs: config.pollIntervalMs,
    maxRecreations: config.autoRecreations,
    limits: config.limits,
    onFailure: ({ environmentSuffix, reason }) =>
      logger.warn({ environmentSuffix, reason }, 'environment failed (users see a summary of this reason)'),
    onError: (error) => logger.warn({ err: error }, 'reconciler: rescanning the registry failed; retrying'),
    ...(config.deployment === undefined ? {} : { deployment: config.deployment }),
    ...(config.mode === 'aws' && config.aws.region !== undefined
      ? { console: { region: config.aws.region, pipelineName: config.aws.pipelineName } }
      : {}),
  });
  closers.push(() => service.close());
  const signer = await SessionSigner.create({
    dataDir: config.dataDir,
    ...(config.sessionSecret === undefined ? {} : { secret: config.sessionSecret }),
  });
  const revocations = new SessionRevocations({
    client: dynamo,
    tableName: sessionTable,
    onDamagedItem: (key) =>
      logger.error({ key, table: sessionTable }, 'unreadable session record: sessions refused'),
  });
  const auth = new Authenticator({ config, signer, audit, revocations });
  const evidence = new EvidenceService({
    environments: service,
    mode: config.mode,
    signer: await createEvidenceSigner(config),
  });

  if (config.mode === 'local' && config.seedPersistent) await seedPersistent(registry);
  // The reconciler drives every entry still in flight from the registry, now and on every rescan.
  const resumed = await service.start();
  logger.info({ mode: config.mode, dataDir: config.dataDir, resumed }, 'portal runtime ready');

  const tableActive = async (tableName: string, store: string): Promise<boolean> => {
    try {
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
      return Table?.TableStatus === 'ACTIVE' || Table?.TableStatus === 'UPDATING';
    } catch (error) {
      logger.warn({ err: error, store }, 'readiness: store unreachable');
      return false;
    }
  };
  return {
    config,
    service,
    auth,
    registry,
    readiness: async () => {
      const [registryOk, auditOk, sessionsOk] = await Promise.all([
        tableActive(registryTable, 'registry'),
        tableActive(auditTable, 'audit'),
        tableActive(sessionTable, 'sessions'),
      ]);
      return {
        ready: registryOk && auditOk && sessionsOk,
        checks: { registry: registryOk, audit: auditOk, sessions: sessionsOk },
      };
    },
    evidence,
    comparison: new ComparisonService(service),
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
}

/**
 * On a fresh data folder: register staging and prod. The reconciler deploys staging; the seeded prod
 * waits for its promotion.
 */
async function seedPersistent(registry: EnvironmentRegistry): Promise<void> {
  for (const input of SEED_ENVIRONMENTS) {
    const parsed = parseEnvironmentSpec(input);
    if (!parsed.success) throw new Error(`seed spec ${input.environmentSuffix} is invalid`);
    try {
      await registry.register({ spec: parsed.spec, requestedBy: SYSTEM_ACTOR });
    } catch (error) {
      if (!(error instanceof SuffixTakenError)) throw error;
    }
  }
}

const RUNTIME_KEY = Symbol.for('sep.portal.runtime');
type GlobalWithRuntime = typeof globalThis & { [RUNTIME_KEY]?: Promise<PortalRuntime> };

/**
 * The process-wide runtime. Next bundles each route separately, so the
 * singleton lives on globalThis: every route shares one store, one hub.
 */
export function runtime(): Promise<PortalRuntime> {
  const holder = globalThis as GlobalWithRuntime;
  if (holder[RUNTIME_KEY] === undefined) {
    const created = portalConfig().then((config) => createRuntime({ config }));
    holder[RUNTIME_KEY] = created;
    created.catch((error: unknown) => {
      logger.error({ err: error }, 'portal runtime failed to start');
      holder[RUNTIME_KEY] = undefined;
    });
  }
  return holder[RUNTIME_KEY];
}

/** A store that never answers (a damaged LevelDB table) must not leave a port open that hangs every request. */
const STARTUP_TIMEOUT_MS = 120_000;

/** The server's start (`instrumentation.ts`): the runtime now, or the process ends with the reason. */
export async function startRuntimeOrExit(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `the runtime did not start within ${STARTUP_TIMEOUT_MS / 1000} s (a store that cannot be opened?)`,
          ),
        ),
      STARTUP_TIMEOUT_MS,
    );
    timer.unref?.();
  });
  try {
    await Promise.race([runtime(), timeout]);
  } catch (error) {
    logger.fatal({ err: error }, 'portal runtime failed to start; exiting');
    process.exit(1);
  } finally {
    clearTimeout(timer);
  }
}
