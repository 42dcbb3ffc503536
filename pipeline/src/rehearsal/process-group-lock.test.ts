import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reapSynthSteps } from './synth-step';

const MARKER = '::sep-command::';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('synth steps left running by a killed parent', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sep-synth-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are ended, with every process of their group, when the next parent starts', async () => {
    // A synth step as runSynthStep starts it: bash in its own process group, with a child of its own.
    const step = spawn('bash', ['-c', `echo "${MARKER}0"; sleep 60 & wait`], {
      detached: true,
      stdio: 'ignore',
    });
    const pid = step.pid as number;
    writeFileSync(path.join(dir, 'synth-sep-delivery.pid'), String(pid));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(pid)).toBe(true);

    expect(reapSynthSteps(dir)).toEqual([pid]);

    await new Promise((resolve) => step.once('exit', resolve));
    expect(alive(pid)).toBe(false);
    expect(existsSync(path.join(dir, 'synth-sep-delivery.pid'))).toBe(false);
  });

  it('never kills a process that is not a synth step (a pid reused after a reboot)', () => {
    const other = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    writeFileSync(path.join(dir, 'synth-sep-delivery-release.pid'), String(other.pid));
    try {
      expect(reapSynthSteps(dir)).toEqual([]);
      expect(alive(other.pid as number)).toBe(true);
    } finally {
      other.kill('SIGKILL');
    }
  });
});
