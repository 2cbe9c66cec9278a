import type { JobTable } from './worker-host';

/**
 * Diagnostic job kinds every worker understands: they check a pool or a cluster end to end
 * without market data (`diag:spin` burns CPU for `ms` and says where it ran; `diag:crash` kills
 * its worker, to exercise the retry path; `diag:throw` fails as a value).
 */
export const DIAG_JOBS: JobTable = {
  'diag:echo': (data) => data,
  'diag:spin': (data: { value: number; ms?: number }, ctx) => {
    const until = Date.now() + (data.ms ?? 0);
    let x = 0;
    while (Date.now() < until) x++;
    return {
      value: data.value,
      square: data.value * data.value,
      worker: `${process.pid}:${ctx.workerId}`,
      spins: x > 0 ? 1 : 0,
    };
  },
  'diag:crash': (data: { code?: number }) => {
    process.exit(data.code ?? 13);
  },
  'diag:throw': (data: { message: string }) => {
    throw new Error(data.message);
  },
  'diag:panel': async (_data, ctx, job) => {
    if (!job.panel) throw new Error('diag:panel needs a panel request');
    const p = await ctx.panel(job.panel);
    let sum = 0;
    for (let i = 0; i < p.close.length; i++) if (p.close[i] === p.close[i]) sum += p.close[i];
    return { nInst: p.nInst, nDays: p.nDays, sumClose: sum, fingerprint: p.fingerprint };
  },
};
