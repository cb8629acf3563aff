// Prometheus metrics (prom-client). Labels never carry identifiers of people.
import { Registry, Histogram, Counter, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'cyberid_http_request_duration_seconds',
      help: 'HTTP request duration by route group',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    signIns: new Counter({
      name: 'cyberid_sign_ins_total',
      help: 'Citizen sign-in attempts by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    // Alert on a rising "given_up": an ISP has been missing logouts for hours.
    logoutDeliveries: new Counter({
      name: 'cyberid_backchannel_logout_deliveries_total',
      help: 'Back-channel logout delivery attempts by outcome (delivered, will_retry, given_up)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
