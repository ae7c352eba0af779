/**
 * The Lua scripts behind `RedisStateStore`, one per mutating method, each mirroring the matching
 * method of `MemoryStateStore` line for line. Time is an argument (the caller's clock), so the two
 * stores agree under a test clock; key expiry only collects garbage and is never what decides.
 *
 * Conventions: numbers go in and out as strings printed with %.17g, which round-trips a double
 * exactly (a bare Lua number in a reply would be truncated to an integer); '' stands for "absent".
 */

const COMMON = `
local function num(x) return string.format('%.17g', x) end
local function opt(s) if s == '' then return nil end return tonumber(s) end
local function expire(key, ms) redis.call('PEXPIRE', key, math.max(1, math.ceil(ms))) end
`;

/** KEYS: window hash. ARGV: now, amount, windowMs, limit|'', windowStart|'', slackMs. */
export const INCR_WINDOW = `${COMMON}
local now, amount, windowMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local limit, expected, slack = opt(ARGV[4]), opt(ARGV[5]), tonumber(ARGV[6])
local start = math.floor(now / windowMs) * windowMs
local stored = redis.call('HMGET', KEYS[1], 's', 't')
local total = 0
if stored[1] and tonumber(stored[1]) == start then total = tonumber(stored[2]) end
local allowed = 1
if expected ~= nil and expected ~= start then
  allowed = 0
elseif limit ~= nil and amount > 0 and total + amount > limit then
  allowed = 0
else
  total = math.max(0, total + amount)
end
redis.call('HSET', KEYS[1], 's', num(start), 't', num(total))
expire(KEYS[1], start + windowMs - now + slack)
return {allowed, num(total), num(start), num(start + windowMs)}
`;

/** KEYS: lease sorted set (member lease id, score expiry). ARGV: now, max (-1: unbounded), ttlMs, leaseId, slackMs. */
export const ACQUIRE_SLOT = `${COMMON}
local now, max, ttl, slack = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', num(now))
local inUse = redis.call('ZCARD', KEYS[1])
if max >= 0 and inUse >= max then return {0, inUse} end
redis.call('ZADD', KEYS[1], num(now + ttl), ARGV[4])
if redis.call('PTTL', KEYS[1]) < ttl + slack then expire(KEYS[1], ttl + slack) end
return {1, inUse + 1}
`;

/** KEYS: interval key (the time until which starts are refused). ARGV: now, intervalMs, slackMs. */
export const ACQUIRE_INTERVAL = `${COMMON}
local now, interval, slack = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local untilAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilAt > now then return {0, num(untilAt - now)} end
redis.call('SET', KEYS[1], num(now + interval), 'PX', math.max(1, math.ceil(interval + slack)))
return {1, '0'}
`;

/**
 * Breaker state lives in one hash: st (state), cf (consecutive failures), ou (open until), pu (probe
 * until), and one field b:<index> = "total,failures" per failure-rate bucket (a tenth of the window).
 */
const BREAKER = `${COMMON}
local BUCKETS = 10
local function load(key)
  local v = redis.call('HMGET', key, 'st', 'cf', 'ou', 'pu')
  return { st = v[1] or 'closed', cf = tonumber(v[2] or '0'), ou = tonumber(v[3] or '0'), pu = tonumber(v[4] or '0') }
end
local function save(key, e, keepMs)
  redis.call('HSET', key, 'st', e.st, 'cf', num(e.cf), 'ou', num(e.ou), 'pu', num(e.pu))
  expire(key, keepMs)
end
local function counts(key, windowMs, now)
  local bucketMs = math.max(1, windowMs / BUCKETS)
  local oldest = math.floor(now / bucketMs) - BUCKETS + 1
  local all = redis.call('HGETALL', key)
  local total, failures = 0, 0
  for i = 1, #all, 2 do
    local field = all[i]
    if string.sub(field, 1, 2) == 'b:' then
      if tonumber(string.sub(field, 3)) < oldest then
        redis.call('HDEL', key, field)
      else
        local t, f = string.match(all[i + 1], '^([^,]+),([^,]+)$')
        total = total + tonumber(t)
        failures = failures + tonumber(f)
      end
    end
  end
  return total, failures
end
local function clearBuckets(key)
  local all = redis.call('HKEYS', key)
  for _, field in ipairs(all) do
    if string.sub(field, 1, 2) == 'b:' then redis.call('HDEL', key, field) end
  end
end
`;

/** KEYS: breaker hash. ARGV: now, windowMs, keepMs. Returns state, cf, openUntil|'', probeInFlight, total, failures. */
export const GET_BREAKER = `${BREAKER}
local now, windowMs, keep = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local e = load(KEYS[1])
local total, failures = counts(KEYS[1], windowMs, now)
local cooled = e.st == 'open' and now >= e.ou
local state = e.st
if cooled then state = 'half_open' end
local openUntil = ''
if e.st == 'open' and not cooled then openUntil = num(e.ou) end
local probing = 0
if e.st == 'half_open' and e.pu > now then probing = 1 end
if redis.call('EXISTS', KEYS[1]) == 1 then expire(KEYS[1], keep) end
return {state, num(e.cf), openUntil, probing, num(total), num(failures)}
`;

/** KEYS: breaker hash. ARGV: now, probeTtlMs, keepMs. Returns allowed, probe, state, retryAfter|'', then a transition or ''s. */
export const ACQUIRE_BREAKER = `${BREAKER}
local now, probeTtl, keep = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local e = load(KEYS[1])
if e.st == 'closed' then return {1, 0, 'closed', '', '', '', '', ''} end
if e.st == 'open' then
  if now < e.ou then return {0, 0, 'open', num(e.ou - now), '', '', '', ''} end
  e.st = 'half_open'
  e.pu = now + probeTtl
  save(KEYS[1], e, keep)
  return {1, 1, 'half_open', '', 'open', 'half_open', num(now), 'cooldown ended'}
end
if e.pu > now then return {0, 0, 'half_open', num(e.pu - now), '', '', '', ''} end
e.pu = now + probeTtl
save(KEYS[1], e, keep)
return {1, 1, 'half_open', '', '', '', '', ''}
`;

/**
 * KEYS: breaker hash. ARGV: now, ok, probe, failureThreshold, failureRate|'', windowMs, minRequests,
 * cooldownMs, keepMs. Returns state, then a transition (from, to, at, reason) or ''s.
 */
export const RECORD_RESULT = `${BREAKER}
local now, ok, probe = tonumber(ARGV[1]), ARGV[2] == '1', ARGV[3] == '1'
local threshold, rate, windowMs = tonumber(ARGV[4]), opt(ARGV[5]), tonumber(ARGV[6])
local minRequests, cooldown, keep = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local e = load(KEYS[1])
if e.st == 'half_open' then
  if not probe then return {e.st, '', '', '', ''} end
  e.pu = 0
  if ok then
    e.cf = 0
    clearBuckets(KEYS[1])
    e.st = 'closed'
    save(KEYS[1], e, keep)
    return {'closed', 'half_open', 'closed', num(now), 'probe succeeded'}
  end
  e.ou = now + cooldown
  e.st = 'open'
  save(KEYS[1], e, keep)
  return {'open', 'half_open', 'open', num(now), 'probe failed'}
end
if e.st == 'open' then return {e.st, '', '', '', ''} end

local bucketMs = math.max(1, windowMs / BUCKETS)
local field = 'b:' .. num(math.floor(now / bucketMs))
local t, f = 0, 0
local current = redis.call('HGET', KEYS[1], field)
if current then
  local a, b = string.match(current, '^([^,]+),([^,]+)$')
  t, f = tonumber(a), tonumber(b)
end
t = t + 1
if not ok then f = f + 1 end
redis.call('HSET', KEYS[1], field, num(t) .. ',' .. num(f))
if ok then e.cf = 0 else e.cf = e.cf + 1 end
if ok then
  save(KEYS[1], e, keep)
  return {'closed', '', '', '', ''}
end
local total, failures = counts(KEYS[1], windowMs, now)
local reason = nil
if e.cf >= threshold then
  reason = num(e.cf) .. ' consecutive failures'
elseif rate ~= nil and total >= minRequests and failures / total > rate then
  reason = 'failure rate ' .. num(math.floor((failures / total) * 100 + 0.5)) .. '% over ' .. num(total) .. ' requests'
end
if reason == nil then
  save(KEYS[1], e, keep)
  return {'closed', '', '', '', ''}
end
e.ou = now + cooldown
e.st = 'open'
save(KEYS[1], e, keep)
return {'open', 'closed', 'open', num(now), reason}
`;

/** KEYS: breaker hash. Gives a half-open probe back. */
export const RELEASE_PROBE = `
if redis.call('HGET', KEYS[1], 'st') == 'half_open' then redis.call('HSET', KEYS[1], 'pu', '0') end
return 1
`;

/** KEYS: latency hash (t, m, n, u). ARGV: now, ttftMs|'', msPerToken|'', alpha, keepMs. */
export const RECORD_LATENCY = `${COMMON}
local now, ttft, mpt, alpha, keep = tonumber(ARGV[1]), opt(ARGV[2]), opt(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local v = redis.call('HMGET', KEYS[1], 't', 'm', 'n')
local function blend(old, value)
  if value == nil then return old end
  if old == nil then return value end
  return old + alpha * (value - old)
end
local t = blend(tonumber(v[1] or ''), ttft)
local m = blend(tonumber(v[2] or ''), mpt)
local n = tonumber(v[3] or '0') + 1
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'n', num(n), 'u', num(now))
local ts, ms = '', ''
if t ~= nil then ts = num(t); redis.call('HSET', KEYS[1], 't', ts) end
if m ~= nil then ms = num(m); redis.call('HSET', KEYS[1], 'm', ms) end
expire(KEYS[1], keep)
return {ts, ms, num(n), num(now)}
`;

/** KEYS: spend hash (total, end). ARGV: now, amount, periodEnd, slackMs. Returns the new total. */
export const ADD_SPEND = `${COMMON}
local now, amount, periodEnd, slack = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local v = redis.call('HMGET', KEYS[1], 'total', 'end')
local total, ends = 0, periodEnd
if v[2] and tonumber(v[2]) > now then
  total = tonumber(v[1])
  ends = tonumber(v[2])
end
total = total + amount
redis.call('HSET', KEYS[1], 'total', num(total), 'end', num(ends))
expire(KEYS[1], ends - now + slack)
return num(total)
`;
