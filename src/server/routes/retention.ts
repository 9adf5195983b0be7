/** `GET /api/v1/retention`: the policy in force and what it removed; `POST /api/v1/retention/run`: apply it now. */
import type { FastifyInstance } from 'fastify';
import type { RetentionRun, RetentionStatus } from '../../api/index.js';
import type { Services } from '../services.js';

export async function registerRetentionRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.get('/api/v1/retention', async (): Promise<RetentionStatus> => services.retention.status());
  // Runs passes until nothing is left, so a caller (an operator freeing space, a test) sees the full effect.
  app.post('/api/v1/retention/run', async (): Promise<RetentionRun> => services.retention.runNow());
}
