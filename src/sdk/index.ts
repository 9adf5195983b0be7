/** The Swarmlab SDK (`swarmlab/sdk`): talks to a manager over HTTP/WS only. */
export { type ClientOptions, type RequestOptions, SwarmlabClient } from './client.js';
