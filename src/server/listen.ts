/** Starts listening, turning the usual refusals (port taken, no permission, no such address) into one-line errors. */
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../errors/index.js';

const REASONS: Record<string, string> = {
  EADDRINUSE: 'is in use: stop what holds it, or pick another with --port',
  EACCES: 'needs privileges this process lacks: pick a port above 1023 with --port',
  EADDRNOTAVAIL: 'is not an address of this machine: check --host',
};

export async function listen(app: FastifyInstance, host: string, port: number): Promise<void> {
  try {
    await app.listen({ host, port });
  } catch (cause) {
    const reason = REASONS[(cause as NodeJS.ErrnoException).code ?? ''];
    if (!reason) throw cause;
    throw new ConfigError(`${host}:${port} ${reason}`, { details: { field: 'port', host, port }, cause });
  }
}
