/** Tokens: API tokens with roles (stored hashed) and the session tokens jobs report with. */
export { SessionTokens, sameSecret } from './secret.js';
export { TokenService, type TokenServiceDeps } from './service.js';
