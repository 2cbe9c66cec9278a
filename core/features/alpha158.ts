/**
 * The standard expression library, after Qlib's Alpha158 (qlib/contrib/data/loader.py, `Alpha158DL`): the
 * nine K-bar shape features, three price ratios (no VWAP: our bars carry none), and 29 rolling families over
 * windows 5, 10, 20, 30 and 60, 157 features in all. Names and expressions follow Qlib's, so a researcher can
 * compare; windows are strict here (see `expr.ts`), Qlib's are `min_periods=1`.
 */

const WINDOWS = [5, 10, 20, 30, 60] as const;

const KBAR: Record<string, string> = {
  KMID: '($close-$open)/$open',
  KLEN: '($high-$low)/$open',
  KMID2: '($close-$open)/($high-$low+1e-12)',
  KUP: '($high-Greater($open, $close))/$open',
  KUP2: '($high-Greater($open, $close))/($high-$low+1e-12)',
  KLOW: '(Less($open, $close)-$low)/$open',
  KLOW2: '(Less($open, $close)-$low)/($high-$low+1e-12)',
  KSFT: '(2*$close-$high-$low)/$open',
  KSFT2: '(2*$close-$high-$low)/($high-$low+1e-12)',
};

const PRICE: Record<string, string> = { OPEN0: '$open/$close', HIGH0: '$high/$close', LOW0: '$low/$close' };

const ROLLING: Record<string, (d: number) => string> = {
  ROC: (d) => `Ref($close, ${d})/$close`,
  MA: (d) => `Mean($close, ${d})/$close`,
  STD: (d) => `Std($close, ${d})/$close`,
  BETA: (d) => `Slope($close, ${d})/$close`,
  RSQR: (d) => `Rsquare($close, ${d})`,
  RESI: (d) => `Resi($close, ${d})/$close`,
  MAX: (d) => `Max($high, ${d})/$close`,
  MIN: (d) => `Min($low, ${d})/$close`,
  QTLU: (d) => `Quantile($close, ${d}, 0.8)/$close`,
  QTLD: (d) => `Quantile($close, ${d}, 0.2)/$close`,
  RANK: (d) => `Rank($close, ${d})`,
  RSV: (d) => `($close-Min($low, ${d}))/(Max($high, ${d})-Min($low, ${d})+1e-12)`,
  IMAX: (d) => `IdxMax($high, ${d})/${d}`,
  IMIN: (d) => `IdxMin($low, ${d})/${d}`,
  IMXD: (d) => `(IdxMax($high, ${d})-IdxMin($low, ${d}))/${d}`,
  CORR: (d) => `Corr($close, Log($volume+1), ${d})`,
  CORD: (d) => `Corr($close/Ref($close,1), Log($volume/Ref($volume, 1)+1), ${d})`,
  CNTP: (d) => `Mean($close>Ref($close, 1), ${d})`,
  CNTN: (d) => `Mean($close<Ref($close, 1), ${d})`,
  CNTD: (d) => `Mean($close>Ref($close, 1), ${d})-Mean($close<Ref($close, 1), ${d})`,
  SUMP: (d) => `Sum(Greater($close-Ref($close, 1), 0), ${d})/(Sum(Abs($close-Ref($close, 1)), ${d})+1e-12)`,
  SUMN: (d) => `Sum(Greater(Ref($close, 1)-$close, 0), ${d})/(Sum(Abs($close-Ref($close, 1)), ${d})+1e-12)`,
  SUMD: (d) =>
    `(Sum(Greater($close-Ref($close, 1), 0), ${d})-Sum(Greater(Ref($close, 1)-$close, 0), ${d}))/(Sum(Abs($close-Ref($close, 1)), ${d})+1e-12)`,
  VMA: (d) => `Mean($volume, ${d})/($volume+1e-12)`,
  VSTD: (d) => `Std($volume, ${d})/($volume+1e-12)`,
  WVMA: (d) =>
    `Std(Abs($close/Ref($close, 1)-1)*$volume, ${d})/(Mean(Abs($close/Ref($close, 1)-1)*$volume, ${d})+1e-12)`,
  VSUMP: (d) => `Sum(Greater($volume-Ref($volume, 1), 0), ${d})/(Sum(Abs($volume-Ref($volume, 1)), ${d})+1e-12)`,
  VSUMN: (d) => `Sum(Greater(Ref($volume, 1)-$volume, 0), ${d})/(Sum(Abs($volume-Ref($volume, 1)), ${d})+1e-12)`,
  VSUMD: (d) =>
    `(Sum(Greater($volume-Ref($volume, 1), 0), ${d})-Sum(Greater(Ref($volume, 1)-$volume, 0), ${d}))/(Sum(Abs($volume-Ref($volume, 1)), ${d})+1e-12)`,
};

/** Every library feature: name → expression, in Qlib's order (K-bar, price, then each family over the windows). */
export const ALPHA158: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(KBAR)) m.set(k, v);
  for (const [k, v] of Object.entries(PRICE)) m.set(k, v);
  for (const [k, f] of Object.entries(ROLLING)) for (const d of WINDOWS) m.set(`${k}${d}`, f(d));
  return m;
})();
