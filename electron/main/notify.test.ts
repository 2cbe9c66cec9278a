import { describe, expect, it, vi } from 'vitest';

const shown = vi.hoisted(() => [] as { title: string; body: string; urgency?: string }[]);
vi.mock('electron', () => ({
  Notification: class {
    static isSupported = () => true;
    constructor(private readonly o: { title: string; body: string; urgency?: string }) {}
    show() {
      shown.push(this.o);
    }
  },
}));

const { notifyDesktop } = await import('./notify');

describe('notifyDesktop', () => {
  it('shows critical alerts as OS notifications and leaves warnings to the in-app stream', () => {
    const base = {
      id: 'a1',
      time: 0,
      kind: 'kill-switch',
      symbol: null,
      message: 'max daily loss breached',
      acknowledgedAt: null,
    };
    expect(notifyDesktop({ ...base, severity: 'warning' })).toBe(false);
    expect(notifyDesktop({ ...base, severity: 'info' })).toBe(false);
    expect(shown).toHaveLength(0);
    expect(notifyDesktop({ ...base, severity: 'critical', symbol: 'ABAG' })).toBe(true);
    expect(shown).toEqual([
      { title: 'QuantDesk: kill-switch ABAG', body: 'max daily loss breached', urgency: 'critical' },
    ]);
  });

  it("shows a user's own alert rule whatever its severity (issue 16)", () => {
    shown.length = 0;
    expect(
      notifyDesktop({
        id: 'u1',
        time: 0,
        kind: 'user-alert',
        symbol: 'AAA',
        message: 'AAA price crosses above 11',
        acknowledgedAt: null,
        severity: 'warning',
      }),
    ).toBe(true);
    expect(shown).toEqual([
      { title: 'QuantDesk: user-alert AAA', body: 'AAA price crosses above 11', urgency: 'normal' },
    ]);
  });
});
