/** Lua scripts that make each multi-key write atomic on Redis (run with EVALSHA via ioredis). */
import type { Redis } from 'ioredis';

const NOW_MS = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

const UNREF = `
local function unref(refs, chunk_prefix, sha)
  if redis.call('HINCRBY', refs, sha, -1) <= 0 then
    redis.call('HDEL', refs, sha)
    redis.call('DEL', chunk_prefix .. sha)
  end
end
`;

const RELEASE = `${UNREF}
local function release(list, uploads, id, refs, chunk_prefix)
  for _, sha in ipairs(redis.call('LRANGE', list, 0, -1)) do unref(refs, chunk_prefix, sha) end
  redis.call('DEL', list)
  redis.call('ZREM', uploads, id)
end
`;

/**
 * KEYS: doc-keys zset, then per op its keys (put/delete/check: doc; indexAdd/indexRemove: index; append: log, seq;
 * deleteEntries/trimLog: log; ref: manifest, owners; unref: manifest, owners, chunk-refs).
 * ARGV: channel, then per op: 'p' key ifVersion bytes | 'd' key ifVersion | 'c' key version | 'ia' member score | 'ir' member
 * | 'a' log bytes | 'x' n cursor1..cursorN | 't' before | 'r' digest owner
 * | 'u' digest owner manifest-as-read chunk-prefix n sha1..shaN.
 * All preconditions are checked before anything is written; blobs left unowned are freed last (reply 1 per op).
 * A check ('c') is a precondition only: no write, no reply slot.
 */
const COMMIT = `${UNREF}
local channel, doc_keys = ARGV[1], KEYS[1]
local n = #ARGV
local ver = {}
local function current(key)
  local v = ver[key]
  if v == nil then v = tonumber(redis.call('HGET', key, 'v') or '0') end
  return v
end
local k, a = 2, 2
while a <= n do
  local t = ARGV[a]
  if t == 'p' or t == 'd' then
    local cur = current(KEYS[k])
    local want = ARGV[a + 2]
    if want ~= '' and tonumber(want) ~= cur then return {'conflict', ARGV[a + 1], want, cur} end
    if t == 'p' then ver[KEYS[k]] = cur + 1; a = a + 4 else ver[KEYS[k]] = 0; a = a + 3 end
    k = k + 1
  elseif t == 'c' then
    local cur = current(KEYS[k])
    if tonumber(ARGV[a + 2]) ~= cur then return {'conflict', ARGV[a + 1], ARGV[a + 2], cur} end
    k = k + 1; a = a + 3
  elseif t == 'ia' then k = k + 1; a = a + 3
  elseif t == 'ir' then k = k + 1; a = a + 2
  elseif t == 'a' then k = k + 2; a = a + 3
  elseif t == 'x' then k = k + 1; a = a + 2 + tonumber(ARGV[a + 1])
  elseif t == 't' then k = k + 1; a = a + 2
  elseif t == 'r' then
    if redis.call('EXISTS', KEYS[k]) == 0 then return {'missing', ARGV[a + 1]} end
    k = k + 2; a = a + 3
  elseif t == 'u' then
    if (redis.call('GET', KEYS[k]) or '') ~= ARGV[a + 3] then return {'stale', ARGV[a + 1]} end
    k = k + 3; a = a + 6 + tonumber(ARGV[a + 5])
  else return redis.error_reply('unknown op ' .. t) end
end
ver = {}
k, a = 2, 2
local out = {'ok'}
-- Unrefs, as {first key, first arg, reply slot}: their blobs are freed after every op, if still unowned.
local unowned = {}
while a <= n do
  local t = ARGV[a]
  if t == 'p' then
    local key, name = KEYS[k], ARGV[a + 1]
    local v = current(key) + 1
    ver[key] = v
    redis.call('HSET', key, 'v', v, 'd', ARGV[a + 3])
    redis.call('ZADD', doc_keys, 0, name)
    redis.call('PUBLISH', channel, 'p|' .. name .. '|' .. string.format('%d', v))
    out[#out + 1] = v
    k = k + 1; a = a + 4
  elseif t == 'd' then
    local key, name = KEYS[k], ARGV[a + 1]
    local cur = current(key)
    ver[key] = 0
    if cur > 0 then
      redis.call('DEL', key)
      redis.call('ZREM', doc_keys, name)
      redis.call('PUBLISH', channel, 'd|' .. name)
      out[#out + 1] = 1
    else
      out[#out + 1] = 0
    end
    k = k + 1; a = a + 3
  elseif t == 'c' then
    k = k + 1; a = a + 3
  elseif t == 'ia' then
    redis.call('ZADD', KEYS[k], ARGV[a + 2], ARGV[a + 1])
    out[#out + 1] = 0
    k = k + 1; a = a + 3
  elseif t == 'ir' then
    out[#out + 1] = redis.call('ZREM', KEYS[k], ARGV[a + 1])
    k = k + 1; a = a + 2
  elseif t == 'a' then
    local c = redis.call('INCR', KEYS[k + 1])
    local id = string.format('%d', c)
    redis.call('XADD', KEYS[k], '0-' .. id, 'v', ARGV[a + 2])
    redis.call('PUBLISH', channel, 'a|' .. ARGV[a + 1] .. '|' .. id)
    out[#out + 1] = c
    k = k + 2; a = a + 3
  elseif t == 'x' then
    local removed = 0
    for i = a + 2, a + 1 + tonumber(ARGV[a + 1]) do
      removed = removed + redis.call('XDEL', KEYS[k], '0-' .. ARGV[i])
    end
    out[#out + 1] = removed
    k = k + 1; a = a + 2 + tonumber(ARGV[a + 1])
  elseif t == 't' then
    out[#out + 1] = redis.call('XTRIM', KEYS[k], 'MINID', '0-' .. ARGV[a + 1])
    k = k + 1; a = a + 2
  elseif t == 'r' then
    redis.call('SADD', KEYS[k + 1], ARGV[a + 2])
    out[#out + 1] = 0
    k = k + 2; a = a + 3
  else
    redis.call('SREM', KEYS[k + 1], ARGV[a + 2])
    out[#out + 1] = 0
    unowned[#unowned + 1] = {k, a, #out}
    k = k + 3; a = a + 6 + tonumber(ARGV[a + 5])
  end
end
for _, u in ipairs(unowned) do
  local uk, ua, at = u[1], u[2], u[3]
  if redis.call('SCARD', KEYS[uk + 1]) == 0 and redis.call('EXISTS', KEYS[uk]) == 1 then
    for i = ua + 6, ua + 5 + tonumber(ARGV[ua + 5]) do unref(KEYS[uk + 2], ARGV[ua + 4], ARGV[i]) end
    redis.call('DEL', KEYS[uk])
    out[at] = 1
  end
end
return out
`;

/** KEYS: doc-keys zset. ARGV: min, max (ZRANGEBYLEX bounds), limit, doc key prefix. Returns name, v, d triples. */
const LIST = `
local names = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], ARGV[2], 'LIMIT', 0, ARGV[3])
local out = {}
for _, name in ipairs(names) do
  local r = redis.call('HMGET', ARGV[4] .. name, 'v', 'd')
  if r[1] then
    out[#out + 1] = name; out[#out + 1] = r[1]; out[#out + 1] = r[2]
  end
end
return out
`;

/**
 * KEYS: chunk, chunk-refs, upload list, uploads zset. ARGV: sha, upload id, chunk index, bytes.
 * Fails with 'expired' when the upload was swept meanwhile (its list no longer has `index` entries).
 */
const PUT_CHUNK = `${NOW_MS}
if redis.call('LLEN', KEYS[3]) ~= tonumber(ARGV[3]) then return 'expired' end
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[4]) end
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('RPUSH', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], now_ms(), ARGV[2])
return 'ok'
`;

/**
 * KEYS: manifest, chunk-refs, upload list, uploads zset, owners. ARGV: upload id, manifest bytes, chunk count,
 * chunk key prefix, owner ('' for none). The upload's references become the manifest's, or are released if the
 * blob exists; the owner's reference is added either way.
 */
const COMMIT_BLOB = `${RELEASE}
if redis.call('LLEN', KEYS[3]) ~= tonumber(ARGV[3]) then return {'expired'} end
if ARGV[5] ~= '' then redis.call('SADD', KEYS[5], ARGV[5]) end
local existing = redis.call('GET', KEYS[1])
if existing then
  release(KEYS[3], KEYS[4], ARGV[1], KEYS[2], ARGV[4])
  return {'existing', existing}
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[1])
return {'ok'}
`;

/** KEYS: upload list, uploads zset, chunk-refs. ARGV: upload id, chunk key prefix. */
const RELEASE_UPLOAD = `${RELEASE}
release(KEYS[1], KEYS[2], ARGV[1], KEYS[3], ARGV[2])
return 1
`;

/** KEYS: uploads zset, chunk-refs. ARGV: lease ms, chunk key prefix, upload key prefix, batch size. */
const SWEEP = `${NOW_MS}${RELEASE}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms() - tonumber(ARGV[1]), 'LIMIT', 0, ARGV[4])
for _, id in ipairs(ids) do release(ARGV[3] .. id, KEYS[1], id, KEYS[2], ARGV[2]) end
return #ids
`;

/**
 * KEYS: manifest, chunk-refs, owners. ARGV: manifest bytes as read, chunk key prefix, then the chunk shas.
 * Returns 1 deleted, 0 absent, -1 when the manifest changed since it was read (caller retries).
 */
const DELETE_BLOB = `${UNREF}
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
if cur ~= ARGV[1] then return -1 end
for i = 3, #ARGV do unref(KEYS[2], ARGV[2], ARGV[i]) end
redis.call('DEL', KEYS[1], KEYS[3])
return 1
`;

type Arg = string | Buffer | number;
export type Script = (keys: string[], args: Arg[]) => Promise<unknown>;

export interface Scripts {
  commit: Script;
  list: Script;
  putChunk: Script;
  commitBlob: Script;
  releaseUpload: Script;
  sweep: Script;
  deleteBlob: Script;
}

/** Registers the scripts on a connection; replies come back with Buffers for bulk strings. */
export function defineScripts(redis: Redis): Scripts {
  const define = (name: string, lua: string): Script => {
    const command = `swarmlab${name}`;
    redis.defineCommand(command, { lua });
    const fn = (redis as unknown as Record<string, (...args: Arg[]) => Promise<unknown>>)[
      `${command}Buffer`
    ]!;
    return (keys, args) => fn.call(redis, keys.length, ...keys, ...args);
  };
  return {
    commit: define('Commit', COMMIT),
    list: define('List', LIST),
    putChunk: define('PutChunk', PUT_CHUNK),
    commitBlob: define('CommitBlob', COMMIT_BLOB),
    releaseUpload: define('ReleaseUpload', RELEASE_UPLOAD),
    sweep: define('Sweep', SWEEP),
    deleteBlob: define('DeleteBlob', DELETE_BLOB),
  };
}
