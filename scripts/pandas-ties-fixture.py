#!/usr/bin/env python3
"""Regenerates core/backtest/testdata/pandas-ties.json: pandas' rolling means and 10/20 crosses on a minute
series with four-decimal prices built to tie. Run with Debian's pandas (apt-get install python3-pandas):
    /usr/bin/python3 scripts/pandas-ties-fixture.py > core/backtest/testdata/pandas-ties.json
The series comes from a xorshift32 generator that core/backtest/pandas-ties.test.ts reproduces bit for bit,
so the fixture holds only pandas' answers, never the prices."""
import hashlib, json, sys
import numpy as np
import pandas as pd

SEED, N, BASE = 20260101, 100_000, 11_000


def series():
    x = SEED
    def rnd():
        nonlocal x
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        return x / 4294967296.0
    ticks, k, i = [], BASE, 0
    while i < N:
        mode = int(rnd() * 3)
        length = 50 + int(rnd() * 400)
        if mode == 0:  # random walk of -1/0/+1 ticks
            for _ in range(length):
                u = rnd()
                k += -1 if u < 0.3 else (1 if u > 0.7 else 0)
                ticks.append(k)
        elif mode == 1:  # a 10-bar pattern repeated: the 10- and 20-bar means tie exactly
            pattern = [k + int(rnd() * 7) - 3 for _ in range(10)]
            for j in range(length):
                ticks.append(pattern[j % 10])
            k = ticks[-1]
        else:  # flat
            for _ in range(length):
                ticks.append(k)
        i = len(ticks)
    return [t / 10000 for t in ticks[:N]]


def crosses(f, s):
    up, down = [], []
    for i in range(1, len(f)):
        if f[i - 1] < s[i - 1] and f[i] > s[i]:
            up.append(i)
        elif f[i - 1] > s[i - 1] and f[i] < s[i]:
            down.append(i)
    return up, down


close = pd.Series(series(), dtype='float64')
fast = close.rolling(10).mean().to_numpy()
slow = close.rolling(20).mean().to_numpy()
up, down = crosses(fast, slow)
digest = lambda a: hashlib.sha256(np.where(np.isnan(a), np.nan, a).astype('<f8').tobytes()).hexdigest()
json.dump({
    'pandas': pd.__version__, 'seed': SEED, 'n': N, 'base': BASE,
    'closeSha256': digest(close.to_numpy()), 'fastSha256': digest(fast), 'slowSha256': digest(slow),
    'crossUp': up, 'crossDown': down,
}, sys.stdout)
sys.stdout.write('\n')
