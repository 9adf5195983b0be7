/** Session artifacts: stored content-addressed with their session, listed, read, and deleted with it. */
export { type ArtifactDeps, type ArtifactOptions, ArtifactService } from './service.js';
