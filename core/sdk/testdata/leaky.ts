import { defineStrategy } from 'quantdesk/sdk';

// Deliberately leaky: module-level state survives from one run to the next, so a later run can
// read closes that an earlier run saw "in the future". `strategies check` must catch it.
const seen: number[] = [];

export default defineStrategy({
  name: 'leaky',
  description: 'peeks five bars ahead through module state',
  init: () => ({}),
  onBar(_s, bar) {
    seen[bar.index] = bar.close;
    const ahead = seen[bar.index + 5];
    if (ahead === undefined) return null;
    return ahead > bar.close ? 1 : -1;
  },
});
