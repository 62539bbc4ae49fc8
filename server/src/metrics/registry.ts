// Prometheus metrics. Per-view lag and state are read from mv_ops.freshness at scrape time, so they
// cover scheduled runs too; attempt counters and durations cover the runs this process executed.
import type { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { listViews, type ViewStatus } from '../refresh/queries';

export const STATES = ['fresh', 'warn', 'stale', 'failing', 'never_refreshed', 'paused'] as const;

export interface ServiceMetrics {
  registry: Registry;
  /** Reads the status once and renders every metric (Prometheus text). */
  scrape(): Promise<string>;
  attempts: Counter<'view' | 'status'>;
  attemptSeconds: Histogram<'view' | 'status'>;
  requests: Counter<'method' | 'route' | 'status'>;
  requestSeconds: Histogram<'method' | 'route'>;
}

export function createMetrics(statusPool: Pool, activeRuns: () => number): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // One read of the status per scrape, taken when the scrape starts: every per-view figure then comes
  // from the same instant, and never from an earlier scrape. prom-client calls each collect()
  // synchronously from registry.metrics(), so each captures the promise of the scrape it belongs to.
  let current: Promise<ViewStatus[] | undefined> = Promise.resolve(undefined);
  const snapshot = () => current;
  // Rebuilt from the database on every scrape, so that views unregistered since vanish.
  const perView = (name: string, help: string, value: (v: ViewStatus) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['view', 'pack'],
      registers: [registry],
      async collect() {
        const views = (await snapshot()) ?? [];
        this.reset();
        for (const v of views) {
          const x = value(v);
          if (x !== null) {
            this.set({ view: v.view, pack: v.pack }, x);
          }
        }
      },
    });
  perView(
    'mv_ops_view_lag_seconds',
    'How long the oldest source change the view has not seen has been waiting (mv_ops.freshness.lag_seconds).',
    (v) => v.lagSeconds
  );
  perView(
    'mv_ops_view_last_refresh_duration_seconds',
    'Duration of the last successful refresh of the view, whoever ran it.',
    (v) => (v.lastDurationMs === null ? null : v.lastDurationMs / 1000)
  );
  new Gauge({
    name: 'mv_ops_view_state',
    help: '1 for the current freshness state of the view, 0 for the others.',
    labelNames: ['view', 'pack', 'state'],
    registers: [registry],
    async collect() {
      const views = (await snapshot()) ?? [];
      this.reset();
      for (const v of views) {
        for (const s of STATES) {
          this.set({ view: v.view, pack: v.pack, state: s }, v.state === s ? 1 : 0);
        }
      }
    },
  });
  new Gauge({
    name: 'mv_ops_database_up',
    help: '1 when the scrape could read mv_ops.freshness, else 0.',
    registers: [registry],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'mv_ops_service_running_runs',
    help: 'Refresh runs this process is executing now.',
    registers: [registry],
    collect() {
      this.set(activeRuns());
    },
  });
  return {
    registry,
    scrape: () => {
      current = listViews(statusPool).catch(() => undefined);
      return registry.metrics();
    },
    attempts: new Counter({
      name: 'mv_ops_service_refresh_attempts_total',
      help: 'View refresh attempts executed by this process, by outcome (failed counts failures).',
      labelNames: ['view', 'status'],
      registers: [registry],
    }),
    attemptSeconds: new Histogram({
      name: 'mv_ops_service_refresh_duration_seconds',
      help: 'Duration of view refreshes executed by this process.',
      labelNames: ['view', 'status'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800],
      registers: [registry],
    }),
    requests: new Counter({
      name: 'mv_ops_http_requests_total',
      help: 'HTTP requests answered, by route and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'mv_ops_http_request_duration_seconds',
      help: 'HTTP request durations by route.',
      labelNames: ['method', 'route'],
      registers: [registry],
    }),
  };
}
