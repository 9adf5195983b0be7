/** Where the tests' real Redis server is: SWARMLAB_TEST_REDIS_URL, set by .ci/run, or the local default. */
export const testRedisUrl = (): string => process.env.SWARMLAB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
