import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// A stand-in for the OS keychain: reversible, and visibly not the clear text.
vi.mock('electron', () => ({
  safeStorage: {
    isEncryptionAvailable: () => true,
    encryptString: (s: string) => Buffer.from(s, 'utf8').map((b) => b ^ 0x5a),
    decryptString: (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
  },
}));

const { safeStorageCredentials } = await import('./credentials');
const dir = mkdtempSync(join(tmpdir(), 'qd-creds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('safeStorageCredentials', () => {
  it('stores keys encrypted, reads them back, and lets the environment win', () => {
    const file = join(dir, 'brokers.bin');
    const c = safeStorageCredentials(file, { KIS_ACCOUNT: '11112222-01' });
    c.set!({ APCA_API_KEY_ID: 'key-1', APCA_API_SECRET_KEY: 'secret-xyz', KIS_ACCOUNT: '99998888-01' });
    expect(readFileSync(file).toString('utf8')).not.toContain('secret-xyz');
    expect(c.get()).toMatchObject({
      APCA_API_KEY_ID: 'key-1',
      APCA_API_SECRET_KEY: 'secret-xyz',
      KIS_ACCOUNT: '11112222-01',
    });
    c.set!({ APCA_API_SECRET_KEY: '' });
    expect(c.get().APCA_API_SECRET_KEY).toBeUndefined();
  });

  it('keeps a data connector key beside the broker keys, encrypted, and the environment still wins', () => {
    const file = join(dir, 'keys.bin');
    safeStorageCredentials(file, {}).set!({ APCA_API_KEY_ID: 'key-1' });
    // A second handle on the same file (as after an app restart) adds a connector key without losing the broker key.
    const c = safeStorageCredentials(file, { DART_API_KEY: 'dart-from-env' });
    c.set!({ ALPHAVANTAGE_API_KEY: 'av-secret-777', DART_API_KEY: 'dart-stored' });
    const raw = readFileSync(file).toString('utf8');
    expect(raw).not.toContain('av-secret-777');
    expect(raw).not.toContain('ALPHAVANTAGE_API_KEY');
    expect(c.get()).toMatchObject({
      APCA_API_KEY_ID: 'key-1',
      ALPHAVANTAGE_API_KEY: 'av-secret-777',
      DART_API_KEY: 'dart-from-env',
    });
    expect(safeStorageCredentials(file, {}).get()).toMatchObject({
      ALPHAVANTAGE_API_KEY: 'av-secret-777',
      DART_API_KEY: 'dart-stored',
    });
    c.set!({ ALPHAVANTAGE_API_KEY: '' });
    expect(c.get().ALPHAVANTAGE_API_KEY).toBeUndefined();
    expect(c.get().APCA_API_KEY_ID).toBe('key-1');
  });
});
