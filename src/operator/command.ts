// What every operator command (npm run keys, outbox, backup, restore) shares: how a refusal is told from a failure,
// and how the process ends. A refusal (bad arguments, a store a server holds, a file that is not a backup) exits 2;
// anything unexpected exits 1; both print one line prefixed with the command's name.
export class CommandRefused extends Error {}

export function runCommand(name: string, main: () => number | Promise<number>): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => process.exit(code),
      (error) => {
        process.stderr.write(`${name}: ${(error as Error).message}\n`);
        process.exit(error instanceof CommandRefused ? 2 : 1);
      },
    );
}
