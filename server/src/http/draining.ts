// While the service shuts down: requests that still reach it (on connections opened before the
// signal) get 503 shutting_down in the usual error shape, so a load balancer or Grafana retries elsewhere.
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors';

export function installDraining(app: FastifyInstance): void {
  let draining = false;
  // preClose runs before the listening socket closes and before onClose waits for running refreshes.
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.addHook('onRequest', async () => {
    if (draining) {
      throw new ApiError(503, 'shutting_down', 'The service is shutting down; retry shortly.', {
        'retry-after': '5',
        connection: 'close',
      });
    }
  });
}
