/** `GET /api/v1/nodes`: every node with capacity, allocation, use and the sessions on it, plus the queue in order. */
import type { FastifyInstance } from 'fastify';
import type { NodesResponse } from '../../api/index.js';
import type { Services } from '../services.js';

export async function registerNodeRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.get('/api/v1/nodes', async (): Promise<NodesResponse> => {
    const { scheduler, usage } = services;
    return { nodes: usage.nodes(), queue: scheduler.queued(Date.now()) };
  });
}
