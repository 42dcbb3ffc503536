import { createSepClient, type SepClient, unwrap } from '@sep/client';
import { environmentSuffixSchema, featuresSchema } from '@sep/spec';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError, EXIT } from './exit-codes';
import { environmentText, listText, outputsAsEnv, pipelineText, previewText } from './format';
import { waitForEnvironment } from './wait';

/** Where a command writes: stdout for results (pipe them), stderr for progress. */
export interface CliIo {
  readonly stdout: Output;
  readonly stderr: Output;
}

/** A stream the CLI writes to (process.stdout/stderr, or a capture in tests). */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

interface GlobalOptions {
  readonly url?: string;
  readonly token?: string;
}

const FEATURES = Object.keys(featuresSchema.shape).filter((name) => name !== 'apiEndpointType');

function suffixArgument(value: string): string {
  const parsed = environmentSuffixSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? 'invalid suffix');
  return parsed.data;
}

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return parsed;
}

/** `--feature database` turns a feature on, `--feature no-waf` off. */
function featureArgument(value: string, previous: Record<string, boolean> = {}): Record<string, boolean> {
  const off = value.startsWith('no-');
  const name = off ? value.slice(3) : value;
  if (!FEATURES.includes(name)) {
    throw new InvalidArgumentError(
      `unknown feature "${name}" (one of ${FEATURES.join(', ')}, or no-<feature>)`,
    );
  }
  return { ...previous, [name]: !off };
}

/** The `sep` program. Every input check happens here, before any request. */
export function buildProgram(io: CliIo): Command {
  const print = (text: string): void => {
    io.stdout.write(`${text}\n`);
  };
  const printJson = (value: unknown): void => print(JSON.stringify(value, null, 2));

  const program = new Command('sep')
    .description('Secure Environment Portal from a terminal or a CI job.')
    .addOption(new Option('--url <url>', 'portal URL').env('SEP_URL'))
    .addOption(new Option('--token <token>', 'bearer token').env('SEP_TOKEN'))
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showSuggestionAfterError(true);

  const baseUrl = (command: Command): string => {
    const { url } = command.optsWithGlobals<GlobalOptions>();
    if (url === undefined || url === '')
      throw new CliError('no portal URL: set SEP_URL or pass --url', EXIT.badInput);
    if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) {
      throw new CliError(`not an http(s) URL: ${url}`, EXIT.badInput);
    }
    return url;
  };
  const client = (command: Command): SepClient => {
    const url = baseUrl(command);
    const { token } = command.optsWithGlobals<GlobalOptions>();
    if (token === undefined || token === '') {
      throw new CliError(
        'no token: set SEP_TOKEN or pass --token (local mode: sep token --user alice)',
        EXIT.badInput,
      );
    }
    return createSepClient({ baseUrl: url, token });
  };
  const waitOption = () =>
    new Option('--wait', 'follow the deployment until it settles (exit 4 if it fails)');
  const timeoutOption = () =>
    new Option('--timeout <minutes>', 'give up waiting after this long (exit 5)')
      .argParser(positiveInt)
      .default(60);

  program
    .command('whoami')
    .description('show the signed-in user and what they may do')
    .option('--json', 'print the session as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const session = await unwrap(client(command).GET('/api/auth/session'));
      if (options.json) return printJson(session);
      print(
        `${session.user.id} (${session.user.name}) roles: ${session.user.roles.join(', ')}; mode ${session.mode}`,
      );
    });

  program
    .command('token')
    .description(
      'print a bearer token for a demo user (local mode only): export SEP_TOKEN=$(sep token --user alice)',
    )
    .requiredOption('--user <name>', 'demo user (alice, bob, carol, dave)')
    .action(async (options: { user: string }, command: Command) => {
      const anonymous = createSepClient({ baseUrl: baseUrl(command) });
      const issued = await unwrap(anonymous.POST('/api/auth/token', { body: { username: options.user } }));
      print(issued.token);
    });

  const env = program.command('env').description('request, read and destroy environments');
  env
    .command('create')
    .description('request an ephemeral environment')
    .requiredOption('--suffix <suffix>', 'environment suffix, e.g. pr-123', suffixArgument)
    .addOption(new Option('--project <project>', 'project tag').env('SEP_PROJECT').makeOptionMandatory())
    .addOption(
      new Option('--cost-center <costCenter>', 'cost-center tag')
        .env('SEP_COST_CENTER')
        .makeOptionMandatory(),
    )
    .option('--ttl <hours>', 'hours before the sweeper destroys it (default 24)', positiveInt)
    .option(
      '--feature <feature>',
      `turn a feature on or off (repeatable): ${FEATURES.join(', ')}`,
      featureArgument,
    )
    .addOption(waitOption())
    .addOption(timeoutOption())
    .option('--json', 'print the environment as JSON')
    .action(async (options: CreateOptions, command: Command) => {
      const api = client(command);
      const created = await unwrap(
        api.POST('/api/environments', {
          body: {
            environmentSuffix: options.suffix,
            kind: 'ephemeral',
            project: options.project,
            costCenter: options.costCenter,
            ...(options.ttl === undefined ? {} : { ttlHours: options.ttl }),
            ...(options.feature === undefined ? {} : { features: options.feature }),
          },
        }),
      );
      io.stderr.write(`requested ${created.environmentSuffix} (stack ${created.stackName})\n`);
      const detail = options.wait
        ? await waitForEnvironment({
            client: api,
            suffix: created.environmentSuffix,
            goal: 'ready',
            timeoutMs: options.timeout * 60_000,
            progress: io.stderr,
          })
        : created;
      if (options.json) return printJson(detail);
      print(environmentText(detail));
    });

  env
    .command('get')
    .description('show one environment')
    .argument('<suffix>', 'environment suffix', suffixArgument)
    .option('--json', 'print the environment as JSON')
    .action(async (suffix: string, options: { json?: boolean }, command: Command) => {
      const detail = await unwrap(
        client(command).GET('/api/environments/{suffix}', { params: { path: { suffix } } }),
      );
      if (options.json) return printJson(detail);
      print(environmentText(detail));
    });

  env
    .command('list')
    .description('list every environment (all pages)')
    .option('--json', 'print the list as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const api = client(command);
      const first = await unwrap(api.GET('/api/environments'));
      const environments = [...first.environments];
      // Every page, in suffix order (the API pages by a cursor).
      for (let cursor = first.nextCursor; cursor !== undefined; ) {
        const page = await unwrap(api.GET('/api/environments', { params: { query: { cursor } } }));
        environments.push(...page.environments);
        cursor = page.nextCursor;
      }
      const list = { ...first, environments, nextCursor: undefined };
      if (options.json) return printJson(list);
      print(listText(list));
    });

  env
    .command('outputs')
    .description('print the stack outputs (KEY=value lines with --format env, for $GITHUB_ENV)')
    .argument('<suffix>', 'environment suffix', suffixArgument)
    .option('--json', 'print the outputs as one JSON object (flat-outputs.json)')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'env']).default('text'),
    )
    .action(async (suffix: string, options: { json?: boolean; format: string }, command: Command) => {
      const outputs = await unwrap(
        client(command).GET('/api/environments/{suffix}/outputs', { params: { path: { suffix } } }),
      );
      const format = options.json ? 'json' : options.format;
      if (format === 'json') return printJson(outputs);
      if (format === 'env') return print(outputsAsEnv(outputs));
      for (const [key, value] of Object.entries(outputs)) print(`${key} = ${value}`);
    });

  env
    .command('destroy')
    .description('destroy an ephemeral environment')
    .argument('<suffix>', 'environment suffix', suffixArgument)
    .addOption(waitOption())
    .addOption(timeoutOption())
    .action(async (suffix: string, options: { wait?: boolean; timeout: number }, command: Command) => {
      const api = client(command);
      await unwrap(api.DELETE('/api/environments/{suffix}', { params: { path: { suffix } } }));
      io.stderr.write(`destroying ${suffix}\n`);
      if (!options.wait) return;
      await waitForEnvironment({
        client: api,
        suffix,
        goal: 'destroyed',
        timeoutMs: options.timeout * 60_000,
        progress: io.stderr,
      });
      print(`${suffix} destroyed`);
    });

  const promote = program.command('promote').description('the release pipeline and its prod promotion');
  promote
    .command('status')
    .description('show the pipeline and the pending promotion')
    .option('--json', 'print the pipeline as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const view = await unwrap(client(command).GET('/api/pipeline'));
      if (options.json) return printJson(view);
      print(pipelineText(view));
    });
  promote
    .command('preview')
    .description('what the pending promotion changes in prod, per stack (approvers and admins)')
    .option('--json', 'print the preview as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const preview = await unwrap(client(command).GET('/api/pipeline/promotion/preview'));
      if (options.json) return printJson(preview);
      print(previewText(preview));
    });
  for (const decision of ['approve', 'reject'] as const) {
    const decide = promote
      .command(decision)
      .description(`${decision} the pending prod promotion (approvers and admins)`)
      .option('--execution <id>', 'the execution you reviewed (default: the one waiting now)')
      .option('--comment <text>', 'shown in the approval history', '');
    if (decision === 'approve') {
      decide
        .option(
          '--confirm <phrase>',
          "a flagged preview's confirmation phrase (`sep promote preview` shows it)",
        )
        .option('--reason <text>', 'why a flagged promotion goes ahead (at least 10 characters, audited)');
    }
    decide.action(
      async (
        options: { execution?: string; comment: string; confirm?: string; reason?: string },
        command: Command,
      ) => {
        const api = client(command);
        const executionId =
          options.execution ?? (await unwrap(api.GET('/api/pipeline'))).pendingPromotion?.executionId;
        if (executionId === undefined) throw new CliError('no promotion is pending', EXIT.failed);
        const view = await unwrap(
          api.POST('/api/pipeline/promotion', {
            body: {
              executionId,
              decision,
              comment: options.comment,
              ...(options.confirm === undefined ? {} : { confirmation: options.confirm }),
              ...(options.reason === undefined ? {} : { reason: options.reason }),
            },
          }),
        );
        print(pipelineText(view));
      },
    );
  }
  return program;
}

interface CreateOptions {
  readonly suffix: string;
  readonly project: string;
  readonly costCenter: string;
  readonly ttl?: number;
  readonly feature?: Record<string, boolean>;
  readonly wait?: boolean;
  readonly timeout: number;
  readonly json?: boolean;
}
