import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands';
import { bufferIO } from './io';
import { main } from './main';

const root = join(__dirname, '../..');

describe('the lazy command table', () => {
  it('each entry loads the command of its name, whose summary is the one --help lists', async () => {
    const io = bufferIO();
    expect(await main(['--help'], io)).toBe(0);
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(entry.summary, entry.name).toBe(command.summary);
      expect(io.stdout()).toContain(`${entry.name.padEnd(11)}  ${entry.summary}\n`);
    }
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });

  it('a command --help prints its usage; an unknown command exits 2', async () => {
    const io = bufferIO();
    expect(await main(['query', '--help'], io)).toBe(0);
    expect(io.stdout()).toMatch(/^Usage:\n  quantdesk query asof/);
    const bad = bufferIO();
    expect(await main(['nope'], bad)).toBe(2);
    expect(bad.stdout()).toBe('');
  });

  it('the built CLI requires only the command it runs: one bundle per command, usage errors across bundles exit 2', () => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'cli'], { cwd: root });
    expect(readFileSync(join(root, 'out/cli/index.js'), 'utf8')).not.toMatch(/technicalindicators|better-sqlite3/);
    for (const c of COMMANDS) expect(existsSync(join(root, `out/cli/cmd-${c.name}.js`)), c.name).toBe(true);
    const help = spawnSync(process.execPath, [join(root, 'bin/quantdesk.js'), '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(c.summary);
    // UsageError thrown inside the backtest bundle (a missing required flag) is still a usage error.
    const usage = spawnSync(process.execPath, [join(root, 'bin/quantdesk.js'), 'backtest', '--json'], {
      encoding: 'utf8',
    });
    expect(usage.status).toBe(2);
    expect(usage.stdout).toBe('');
    expect(usage.stderr).toMatch(/--spec/);
  });
});
