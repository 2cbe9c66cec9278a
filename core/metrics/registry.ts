import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Process-wide metrics other modules observe: the live runner's ticks and tick-to-signal latency,
 * the pool's utilisation. Registered in {@link METRICS_REGISTRY}; scraped at `/metrics`.
 */
export const METRICS_REGISTRY = new Registry();
/** Ticks received by live feeds (rate() of it is ticks/s). */
export const ticksTotal = new Counter({
  name: 'quantdesk_ticks_total',
  help: 'Ticks received by live feeds',
  registers: [METRICS_REGISTRY],
});
/** Seconds from a tick's arrival to the signal it caused. */
export const tickToSignalSeconds = new Histogram({
  name: 'quantdesk_tick_to_signal_seconds',
  help: 'Latency from a tick arriving to the signal it produced',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  registers: [METRICS_REGISTRY],
});
/** Busy workers / workers of the simulation pool (0..1). */
export const poolUtilisation = new Gauge({
  name: 'quantdesk_pool_utilisation',
  help: 'Busy workers over pool size (0..1)',
  registers: [METRICS_REGISTRY],
});
