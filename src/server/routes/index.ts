/** Registers every domain's routes; each domain has one file here. */
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { registerArtifactRoutes } from './artifacts.js';
import { registerChannelRoutes } from './channel.js';
import { registerCompareRoutes } from './compare.js';
import { registerDatasetRoutes } from './datasets.js';
import { registerEventRoutes } from './events.js';
import { registerModelRoutes } from './models.js';
import { registerNodeRoutes } from './nodes.js';
import { registerReportRoutes } from './reports.js';
import { registerRetentionRoutes } from './retention.js';
import { registerServingRoutes } from './serving.js';
import { registerSessionRoutes } from './sessions.js';
import { registerSweepRoutes } from './sweeps.js';
import { registerTelemetryRoutes } from './telemetry.js';
import { registerTokenRoutes } from './tokens.js';
import { registerWebRoutes } from './web.js';

export async function registerRoutes(app: FastifyInstance, services: Services): Promise<void> {
  // One WebSocket server for every WS route (events stream, session channels, …); 16 MiB frames at most.
  await app.register(websocket, { options: { maxPayload: 16 * 1024 * 1024 } });
  // An upgrade refused by a hook that runs before the plugin's own (auth) leaves its socket open, and then
  // the server never finishes closing: end that socket once the refusal is sent.
  app.addHook('onResponse', (request, _reply, done) => {
    if (request.ws !== true && request.headers.upgrade !== undefined) request.raw.socket?.destroy();
    done();
  });
  await registerEventRoutes(app, services);
  await registerChannelRoutes(app, services);
  await registerReportRoutes(app, services);
  await registerTelemetryRoutes(app, services);
  await registerSessionRoutes(app, services);
  await registerArtifactRoutes(app, services);
  await registerCompareRoutes(app, services);
  await registerSweepRoutes(app, services);
  await registerNodeRoutes(app, services);
  await registerModelRoutes(app, services);
  await registerDatasetRoutes(app, services);
  await registerRetentionRoutes(app, services);
  await registerTokenRoutes(app, services);
  await registerServingRoutes(app, services.serving);
  // Last: its catch-all route serves the dashboard for every path no API route claimed.
  await registerWebRoutes(app);
}
