/** Makes sure a session's image is on the engine: there may be no registry, so a missing image fails clearly. */
import type Docker from 'dockerode';
import { InvalidError, UnavailableError } from '../../errors/index.js';
import { isNotFound } from './engine.js';

async function pull(docker: Docker, image: string): Promise<void> {
  const stream = await docker.pull(image);
  const events = await new Promise<Array<{ error?: string }>>((resolve, reject) => {
    docker.modem.followProgress(stream, (err, out) => (err ? reject(err) : resolve(out)));
  });
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(failed.error);
}

export async function ensureImage(docker: Docker, image: string, host: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (cause) {
    if (!isNotFound(cause)) {
      throw new UnavailableError(`cannot look up image ${image} on ${host}: ${(cause as Error).message}`, {
        details: { image, host },
        cause,
      });
    }
  }
  try {
    await pull(docker, image);
  } catch (cause) {
    throw new InvalidError(
      `image ${image} is not on the Docker engine at ${host} and no registry provided it ` +
        `(${(cause as Error).message}); build or load it there (docker build, docker load)`,
      { details: { field: 'image', image, host }, cause },
    );
  }
}
