// The test setup's rule (global-setup.ts): nothing is done when every tool is there; root with
// apt-get installs the missing ones; otherwise the run stops with the exact command to type.
// The host is injected: no package is installed and no program looked for by these tests.
import { describe, expect, it } from 'vitest';
import { ensureTestTools, TEST_TOOLS, type ToolsHost } from './global-setup.ts';
import { isExecutable } from './test-tools.ts';

/** A host where `present` programs exist; `installs` makes the given packages' programs appear. */
function host(present: string[], canInstall: boolean, installs = true): ToolsHost & { calls: string[] } {
  const have = new Set(present);
  const calls: string[] = [];
  return {
    calls,
    canInstall,
    isExecutable: (p) => have.has(p),
    run: (command, args) => {
      calls.push([command, ...args].join(' '));
      if (installs && args[0] === 'install') for (const t of TEST_TOOLS) if (args.includes(t.aptPackage)) have.add(t.program);
      return true;
    },
  };
}

const [chromium, redis] = TEST_TOOLS as [(typeof TEST_TOOLS)[number], (typeof TEST_TOOLS)[number]];

describe('the test setup finds Chromium and redis-server before any test', () => {
  it('does nothing when both are there', () => {
    const h = host([chromium.program, redis.program], true);
    ensureTestTools(h);
    expect(h.calls).toEqual([]);
  });

  it('installs only what is missing, as root with apt-get', () => {
    const h = host([chromium.program], true);
    ensureTestTools(h);
    expect(h.calls).toEqual(['apt-get update -qq', 'apt-get install -y -qq redis-server']);
  });

  it('stops with the exact command when it cannot install', () => {
    const h = host([], false);
    expect(() => ensureTestTools(h)).toThrow(/Install with:\n {2}sudo apt-get install -y chromium redis-server\nor point CHROMIUM_PATH \/ REDIS_SERVER to where they are/);
    expect(h.calls).toEqual([]);
  });

  it('stops with the command when installing did not bring the program', () => {
    const h = host([redis.program], true, false);
    expect(() => ensureTestTools(h)).toThrow(/sudo apt-get install -y chromium\n/);
  });

  it('finds a program on the PATH by name and not where it is not', () => {
    // node runs this test, so its folder is on no particular PATH: give one that holds it.
    const dir = process.execPath.slice(0, process.execPath.lastIndexOf('/'));
    expect(isExecutable('node', dir)).toBe(true);
    expect(isExecutable('node', '/nonexistent-folder')).toBe(false);
    expect(isExecutable(process.execPath)).toBe(true);
  });
});
