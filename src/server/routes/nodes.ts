/** `GET /api/v1/nodes`: every node with capacity, allocation and the sessions on it, plus the queue in order. */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';

export async function registerNodeRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.get('/api/v1/nodes', async () => services.sessions.nodes());
}
