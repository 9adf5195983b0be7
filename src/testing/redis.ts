/** The tests' real Redis server (SWARMLAB_TEST_REDIS_URL, set by .ci/run, or the local default) and its keys. */
import { Redis } from 'ioredis';

export const testRedisUrl = (): string => process.env.SWARMLAB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** The `--store` value (or config `store`) for the test Redis with every key under `prefix`. */
export const testRedisStore = (prefix: string): string =>
  `${testRedisUrl().replace(/\/?$/, '')}?prefix=${prefix}`;

/** Every key under `prefix` (a test's random namespace) matching `pattern`, a SCAN glob. */
export async function redisKeys(prefix: string, pattern = '*'): Promise<string[]> {
  const redis = new Redis(testRedisUrl());
  try {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}${pattern}`, 'COUNT', 1000);
      out.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return out;
  } finally {
    redis.disconnect();
  }
}

/** Removes every key under `prefix`. */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const keys = await redisKeys(prefix);
  if (keys.length === 0) return;
  const redis = new Redis(testRedisUrl());
  try {
    for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
  } finally {
    redis.disconnect();
  }
}
