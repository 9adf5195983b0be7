/** Registers every domain's routes; each domain has one file here. */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';

export async function registerRoutes(_app: FastifyInstance, _services: Services): Promise<void> {}
