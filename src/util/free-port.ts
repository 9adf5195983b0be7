/** A TCP port nobody listens on right now, as the OS hands it out for port 0. */
import { createServer } from 'node:net';

/** Free at the time of asking; the caller binds it soon after (a race with other programs stays possible). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
