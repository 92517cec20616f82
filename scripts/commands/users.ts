// `rafcast users add`: a user of `rafcast serve`, the password read from the terminal (not shown)
// or from standard input, kept as a scrypt hash (evaluation/serve/users.ts).
import type { Command } from 'commander';
import { join } from 'node:path';
import { runAction } from '../cli-support.ts';

export interface UsersAddOptions {
  run?: string;
  file?: string;
}

export function addUsersCommand(program: Command): void {
  const users = program.command('users').description('Users of rafcast serve.').addHelpText('after', '\nExample:\n  rafcast users add alice --run runs/default-2024');
  users
    .command('add <name>')
    .description('Add a user: the password is asked on the terminal (or read from standard input) and stored as a scrypt hash.')
    .option('--run <dir>', 'the run folder whose serve/users.json gets the user')
    .option('--file <file>', 'the users file (instead of --run)')
    .addHelpText('after', '\nThe password has at least 12 characters; it is never written anywhere but as its hash.\n\nExamples:\n  rafcast users add alice --run runs/default-2024\n  printf "%s\\n" "$PASSWORD" | rafcast users add bob --file team-users.json')
    .action((name: string, o: UsersAddOptions) => runAction(() => add(name, o)));
}

async function add(name: string, o: UsersAddOptions): Promise<void> {
  const [{ ConfigError }, { addUser }, { SERVE_FOLDER }, { mkdir }, { dirname }] = await Promise.all([
    import('../../data/errors.ts'),
    import('../../evaluation/serve/users.ts'),
    import('../../evaluation/serve/run-data.ts'),
    import('node:fs/promises'),
    import('node:path'),
  ]);
  if ((o.run === undefined) === (o.file === undefined)) throw new ConfigError('give --run or --file');
  const file = o.file ?? join(o.run!, SERVE_FOLDER, 'users.json');
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const password = await readPassword();
  await addUser(file, name, password);
  process.stdout.write(`user ${name} added to ${file}\n`);
}

/** One line from the terminal with echo off, or the first line of standard input. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    return text.split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write('password: ');
  stdin.setRawMode(true);
  stdin.resume();
  let pw = '';
  try {
    for await (const chunk of stdin) {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return pw;
        if (ch === '\u0003') throw new Error('stopped');
        if (ch === '\u007f') pw = pw.slice(0, -1);
        else pw += ch;
      }
    }
    return pw;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}
