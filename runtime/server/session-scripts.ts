/**
 * The Redis session store's append, one Lua script so that a turn lands whole whichever instance
 * writes it, and two turns that end at once are both kept, one after the other. The trim mirrors
 * `keptFrom` in `session-store.ts` step for step; a user message is known by how its JSON starts
 * (`toStoredMessages` writes `role` first).
 *
 * KEYS: the message list, the meta hash. ARGV: now, ttlMs, maxMessages, maxBytes, project, messages...
 * Returns the number of messages kept.
 */
export const APPEND_TURN = `
local list, meta = KEYS[1], KEYS[2]
local now, ttl, max_n, max_b = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local function is_user(s) return string.sub(s, 1, 14) == '{"role":"user"' end
local added = 0
for i = 6, #ARGV do
  redis.call('RPUSH', list, ARGV[i])
  added = added + string.len(ARGV[i])
end
if redis.call('HSETNX', meta, 'created_at', now) == 1 then redis.call('HSET', meta, 'project', ARGV[5]) end
redis.call('HSET', meta, 'updated_at', now)
local bytes = redis.call('HINCRBY', meta, 'bytes', added)
local n = redis.call('LLEN', list)
if n > max_n or bytes > max_b then
  local last_user = n - 1
  while last_user >= 0 and not is_user(redis.call('LINDEX', list, last_user)) do last_user = last_user - 1 end
  local start = 0
  local function drop() bytes = bytes - string.len(redis.call('LINDEX', list, start)); start = start + 1 end
  if last_user < 0 then
    while start < n - max_n do drop() end
  else
    while start < last_user and (n - start > max_n or bytes > max_b) do drop() end
    while start < last_user and not is_user(redis.call('LINDEX', list, start)) do drop() end
  end
  if start > 0 then
    redis.call('LTRIM', list, start, -1)
    redis.call('HSET', meta, 'bytes', bytes)
    n = n - start
  end
end
redis.call('PEXPIRE', list, ttl)
redis.call('PEXPIRE', meta, ttl)
return n
`;
