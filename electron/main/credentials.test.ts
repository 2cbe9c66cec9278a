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
    expect(c.get()).toMatchObject({ APCA_API_KEY_ID: 'key-1', APCA_API_SECRET_KEY: 'secret-xyz', KIS_ACCOUNT: '11112222-01' });
    c.set!({ APCA_API_SECRET_KEY: '' });
    expect(c.get().APCA_API_SECRET_KEY).toBeUndefined();
  });
});
