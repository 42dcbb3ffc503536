/**
 * `npm start`: the production Next server, in local mode by default, bound to
 * loopback. `--dev` runs `next dev` instead. Configuration is validated before
 * the server starts so a bad variable fails here with a clear message.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/server/config';

const portalDir = path.resolve(__dirname, '..');
const dev = process.argv.includes('--dev');
/** Longer than the idle timeout of the clients in front of the portal (ALB: 60 s). */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

async function main(): Promise<void> {
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig(process.env, { cwd: portalDir });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const nextBin = createRequire(path.join(portalDir, 'package.json')).resolve('next/dist/bin/next');
  const args = [nextBin, dev ? 'dev' : 'start', '--hostname', config.host, '--port', String(config.port)];
  // Node closes idle keep-alive sockets after 5 s; a client (a script, a load balancer with a 60 s idle
  // timeout) that reuses one just then gets ECONNRESET. Idle sockets stay open longer than clients keep them.
  if (!dev) args.push('--keepAliveTimeout', String(KEEP_ALIVE_TIMEOUT_MS));
  console.log(
    `portal: ${config.mode} mode on http://${config.host}:${config.port} (data: ${config.dataDir}${
      config.mode === 'local' ? `, speed ×${config.speedFactor}` : ''
    })`,
  );
  const child = spawn(process.execPath, args, {
    cwd: portalDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      PORTAL_REPO_ROOT: config.repoRoot,
      PORTAL_DATA_DIR: config.dataDir,
      NODE_ENV: dev ? 'development' : 'production',
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

void main();
