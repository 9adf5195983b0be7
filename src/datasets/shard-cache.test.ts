// The shard cache: one load per shard while it is kept, shared by concurrent readers, bounded by bytes (least
// recently used go first), failed loads not kept, deleted shards forgotten.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShardCache } from './shard-cache.js';

/** A cache over loads that count themselves. */
function counted(maxBytes: number) {
  const cache = new ShardCache<string>(maxBytes);
  const loads: string[] = [];
  const get = (key: string, bytes = 10) =>
    cache.get(key, bytes, async () => {
      loads.push(key);
      return `value of ${key}`;
    });
  return { cache, loads, get };
}

describe('ShardCache', () => {
  it('loads a shard once while it is kept, also for readers that arrive during the load', async () => {
    const { cache, loads, get } = counted(100);
    const [a, b] = await Promise.all([get('s1'), get('s1')]);
    assert.equal(a, 'value of s1');
    assert.equal(b, 'value of s1');
    assert.equal(await get('s1'), 'value of s1');
    assert.deepEqual(loads, ['s1']);
    assert.equal(cache.bytes, 10);
  });

  it('keeps at most its byte budget, dropping the least recently used shard first', async () => {
    const { cache, loads, get } = counted(30);
    await get('a');
    await get('b');
    await get('c');
    await get('a'); // a is now the most recent: b is the oldest
    await get('d');
    assert.equal(cache.bytes, 30);
    await get('a');
    await get('c');
    await get('d');
    await get('b');
    assert.deepEqual(loads, ['a', 'b', 'c', 'd', 'b']);
  });

  it('does not keep a shard larger than the budget, nor a failed load', async () => {
    const { cache, loads, get } = counted(30);
    await get('big', 31);
    await get('big', 31);
    assert.deepEqual(loads, ['big', 'big']);
    assert.equal(cache.bytes, 0);
    let attempts = 0;
    const failing = () =>
      cache.get('bad', 10, async () => {
        attempts++;
        if (attempts === 1) throw new Error('read failed');
        return 'read at last';
      });
    await assert.rejects(failing(), /read failed/);
    assert.equal(await failing(), 'read at last');
    assert.equal(attempts, 2);
    assert.equal(cache.bytes, 10);
  });

  it('forgets deleted shards, freeing their bytes', async () => {
    const { cache, loads, get } = counted(100);
    await get('a');
    await get('b');
    cache.forget(['a', 'not-cached']);
    assert.equal(cache.bytes, 10);
    await get('a');
    await get('b');
    assert.deepEqual(loads, ['a', 'b', 'a']);
  });
});
