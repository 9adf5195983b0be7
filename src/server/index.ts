/** HTTP transport: routes, auth, validation, error mapping. Calls the domain; never imported by it. */
export { buildServer, type Server, type ServerDeps } from './app.js';
export { type ErrorBody, errorBody, statusOf } from './errors.js';
export { listen } from './listen.js';
export { createRegistry } from './metrics.js';
export type { Services } from './services.js';
export { buildServingServer, type ServingServerDeps } from './serving-app.js';
