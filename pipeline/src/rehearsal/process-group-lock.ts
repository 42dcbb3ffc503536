import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * A lock file naming the process group of a running child (its leader's pid): it survives the parent's
 * `kill -9`, so the next parent can end that group before starting the same work again (a second synth
 * into the same output folder). `marker` is a string the leader's command line carries, so a pid reused
 * by an unrelated process after a reboot is never killed.
 */
export class ProcessGroupLock {
  constructor(
    readonly file: string,
    private readonly marker: string,
  ) {}

  /**
   * Ends the group a previous holder left running (its parent died without cleaning up) and removes the
   * lock. Returns the pid it killed, if any.
   */
  reap(): number | undefined {
    if (!existsSync(this.file)) return undefined;
    const pid = Number(readFileSync(this.file, 'utf8').trim());
    rmSync(this.file, { force: true });
    if (!Number.isInteger(pid) || pid <= 1 || !this.isOurs(pid)) return undefined;
    try {
      process.kill(-pid, 'SIGKILL');
      return pid;
    } catch {
      return undefined; // already gone
    }
  }

  /** Records the group now holding the lock. */
  hold(pid: number): void {
    writeFileSync(this.file, String(pid), { mode: 0o600 });
  }

  /** The group ended: the lock is free. */
  release(pid: number): void {
    if (existsSync(this.file) && readFileSync(this.file, 'utf8').trim() === String(pid))
      rmSync(this.file, { force: true });
  }

  private isOurs(pid: number): boolean {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.marker);
    } catch {
      // No /proc (not Linux) or no such process: only a live process with our marker is killed.
      return false;
    }
  }
}
