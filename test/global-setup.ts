// Before any test starts (vitest globalSetup): the programs the tests need (test-tools.ts) are
// there, installed when this process can (root with apt-get: Debian's chromium and redis-server,
// as .ci/run does), else the run stops with the exact command to run. Two stat calls when both
// are present.
import { spawnSync } from 'node:child_process';
import { CHROMIUM, isExecutable, REDIS_SERVER } from './test-tools.ts';

/** A program a test needs, where it is looked for and the Debian package that brings it. */
export interface TestTool {
  name: string;
  program: string;
  /** The environment variable that points to it elsewhere. */
  variable: string;
  aptPackage: string;
}

export const TEST_TOOLS: readonly TestTool[] = [
  { name: 'Chromium', program: CHROMIUM, variable: 'CHROMIUM_PATH', aptPackage: 'chromium' },
  { name: 'redis-server', program: REDIS_SERVER, variable: 'REDIS_SERVER', aptPackage: 'redis-server' },
];

export interface ToolsHost {
  isExecutable: (program: string) => boolean;
  /** Root, with apt-get on the PATH: it can install packages. */
  canInstall: boolean;
  /** Runs a command, its output shown; true when it succeeded. */
  run: (command: string, args: string[]) => boolean;
}

/** The install command for these tools, as a person would type it. */
export function installCommand(missing: readonly TestTool[]): string {
  return `sudo apt-get install -y ${missing.map((t) => t.aptPackage).join(' ')}`;
}

/**
 * Makes sure every tool is there: nothing to do when all are; otherwise installs the missing ones
 * when the host can, and throws with the command to run (or the variable to set) when they are
 * still missing.
 */
export function ensureTestTools(host: ToolsHost, tools: readonly TestTool[] = TEST_TOOLS): void {
  let missing = tools.filter((t) => !host.isExecutable(t.program));
  if (missing.length === 0) return;
  if (host.canInstall) {
    process.stderr.write(`tests: installing ${missing.map((t) => t.aptPackage).join(', ')} (apt-get)\n`);
    const env = ['-qq'];
    if (host.run('apt-get', ['update', ...env]) && host.run('apt-get', ['install', '-y', ...env, ...missing.map((t) => t.aptPackage)])) {
      missing = missing.filter((t) => !host.isExecutable(t.program));
      if (missing.length === 0) return;
    }
  }
  throw new Error(
    `the tests need ${missing.map((t) => `${t.name} (${t.program})`).join(' and ')}, not found. Install with:\n` +
      `  ${installCommand(missing)}\n` +
      `or point ${missing.map((t) => t.variable).join(' / ')} to where ${missing.length > 1 ? 'they are' : 'it is'}; then run npm test again.`,
  );
}

/** This machine: root with apt-get can install. */
export function thisHost(): ToolsHost {
  return {
    isExecutable: (p) => isExecutable(p),
    canInstall: process.getuid?.() === 0 && isExecutable('apt-get'),
    run: (command, args) => spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0,
  };
}

export default function setup(): void {
  ensureTestTools(thisHost());
}
