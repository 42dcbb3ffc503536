import { CommanderError } from 'commander';
import { describeError, EXIT } from './exit-codes';
import { buildProgram, type CliIo } from './program';

/** Runs `sep` with `argv` (without node and the script); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; commander already printed its one-line message for bad input.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    const { lines, exitCode } = describeError(error);
    io.stderr.write(lines.map((line) => `sep: ${line}\n`).join(''));
    return exitCode;
  }
}
