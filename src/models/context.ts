/** What the registry's parts share: the repo, the event archive, a clock and a logger. */
import type { Logger } from 'pino';
import { ConflictError } from '../errors/index.js';
import type { EventArchive } from '../events/index.js';
import type { ModelRepo } from './repo.js';

export interface RegistryContext {
  repo: ModelRepo;
  events: EventArchive;
  now: () => number;
  logger: Logger | undefined;
}

/** Lost compare-and-set races are retried this many times before the ConflictError reaches the caller. */
const RETRIES = 20;

/** Runs `attempt` again whenever its commit loses a compare-and-set race. */
export async function retrying<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      // Only a store version conflict (it names the expected version) is a lost race; others are final.
      const race = err instanceof ConflictError && 'expected' in err.details;
      if (!race || i >= RETRIES) throw err;
      // A little jitter so racing writers do not collide again in lockstep.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (i + 1)));
    }
  }
}
