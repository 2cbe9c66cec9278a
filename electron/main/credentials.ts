import { safeStorage } from 'electron';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { BrokerCredentials } from '../../core/api/services';

/**
 * Every secret the desktop app uses — broker keys (`APCA_*`, `KIS_*`) and data connectors' keys
 * (`ALPHAVANTAGE_API_KEY`, `DART_API_KEY`) — encrypted with Electron `safeStorage` (the OS keychain /
 * DPAPI / libsecret) in one file under userData. Rule: the environment first — a variable set in the
 * environment wins over a stored key, as in the CLI. Nothing here is logged, and the renderer never
 * sees a value: `broker:list` and `platform:api-keys` only say whether each key is set.
 * Refuses to store when the OS offers no encryption (rather than writing keys in clear).
 */
export function safeStorageCredentials(file: string, env: NodeJS.ProcessEnv = process.env): BrokerCredentials {
  const read = (): Record<string, string> => {
    if (!existsSync(file) || !safeStorage.isEncryptionAvailable()) return {};
    try {
      return JSON.parse(safeStorage.decryptString(readFileSync(file))) as Record<string, string>;
    } catch {
      return {};
    }
  };
  return {
    get: () => ({
      ...read(),
      ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
    }),
    set: (values) => {
      if (!safeStorage.isEncryptionAvailable())
        throw new Error('this system offers no encrypted storage; set the keys in the environment instead');
      const next = { ...read(), ...values };
      for (const [k, v] of Object.entries(next)) if (v === '') delete next[k];
      // Written whole then renamed: a crash leaves the old file or the new one, never half of one.
      writeFileSync(`${file}.tmp`, safeStorage.encryptString(JSON.stringify(next)), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    },
  };
}
