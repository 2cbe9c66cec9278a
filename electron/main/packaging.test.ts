import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const require = createRequire(__filename);

interface BuilderConfig {
  appId: string;
  productName: string;
  asarUnpack: string[];
  extraResources: { from: string; to: string }[];
  linux: { target: string[]; icon: string };
  win: { target: string; icon: string };
  mac: { target: string; icon: string };
  extraMetadata: { main: string };
  files: (string | { filter: string[] })[];
  electronFuses: Record<string, boolean>;
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema and targets every platform we ship", async () => {
    // electron-builder's loader and validator: the same code `npm run dist` runs first.
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = require('builder-util');
    const config = (await getConfig(root, join(root, 'electron-builder.yml'), null)) as BuilderConfig;
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.appId).toBe('com.quantdesk.app');
    expect(config.productName).toBe('QuantDesk');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toBe('nsis');
    expect(config.mac.target).toBe('dmg');
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**');
    // The main entry is what scripts/build.mjs emits, and the preload and renderer are packaged with it.
    expect(config.extraMetadata.main).toBe('out/main/index.js');
    const files = config.files.flatMap((f) => (typeof f === 'string' ? [f] : f.filter));
    expect(files).toEqual(expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**']));
    const dataset = config.extraResources.find((r) => r.to === 'dataset');
    expect(dataset && existsSync(join(root, dataset.from, 'sp500-2000.csv'))).toBe(true);
    for (const icon of [config.linux.icon, config.win.icon, config.mac.icon])
      expect(existsSync(join(root, icon))).toBe(true);
  });

  it('sets the Electron fuses: no run-as-node, no inspect flags or NODE_OPTIONS, encrypted cookies, ASAR integrity', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = require('builder-util');
    const config = (await getConfig(root, join(root, 'electron-builder.yml'), null)) as BuilderConfig;
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    // The packager flips them with @electron/fuses (its own dependency) right before signing: it must load.
    const builderDir = join(require.resolve('app-builder-lib/package.json'), '..');
    const fuses = require(require.resolve('@electron/fuses', { paths: [builderDir] })) as {
      FuseV1Options: Record<string, number>;
    };
    for (const name of [
      'RunAsNode',
      'EnableCookieEncryption',
      'EnableNodeCliInspectArguments',
      'EnableEmbeddedAsarIntegrityValidation',
      'OnlyLoadAppFromAsar',
    ]) {
      expect(fuses.FuseV1Options[name], name).toEqual(expect.any(Number));
    }
  });

  it('ships a real 512×512 RGBA PNG icon', () => {
    const png = readFileSync(join(root, 'resources/icons/icon.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(512);
    expect(png.readUInt32BE(20)).toBe(512);
    expect(png[24]).toBe(8);
    expect(png[25]).toBe(6);
  });
});
