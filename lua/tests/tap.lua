-- Tiny TAP producer in the style of luv's lib/tap.lua.
-- Runs on Lua 5.1, 5.4 and LuaJIT: no goto, no //, no integer-only ops.
--
--   local tap = require("tap")
--   tap.test("name", function() tap.eq(1, 1, "one") end)
--   tap.skip("name", "why")
--   tap.known("name", "why it fails", function() ... end)  -- an expected failure
--   tap.run()            -- prints 1..N and the results, exits 1 if any failed
--
-- A known failure that fails prints "not ok ... # TODO why" and does not
-- count; one that passes is a failure (its listing is out of date).
--
-- Tests are collected first and run by tap.run(), so the plan line comes first
-- and a test that raises cannot stop the ones after it.

local tap = {}
local unpack = unpack or table.unpack

local cases = {}   -- { name =, fn = } or { name =, skip = reason }
local names = {}   -- name -> true, to refuse duplicates (they make TAP output ambiguous)

local function register(case)
  if names[case.name] then
    error("duplicate test name: " .. case.name, 3)
  end
  names[case.name] = true
  cases[#cases + 1] = case
end

function tap.test(name, fn)
  register({ name = name, fn = fn })
end

function tap.known(name, reason, fn)
  register({ name = name, fn = fn, known = reason })
end

function tap.skip(name, reason)
  register({ name = name, skip = reason or "skipped" })
end

-- a "# ..." line, for notes that must not break the TAP stream
function tap.diag(msg)
  for line in (tostring(msg) .. "\n"):gmatch("(.-)\r?\n") do
    print("# " .. line)
  end
end

function tap.has(name)
  return names[name] == true
end

-- values are shown with %q for strings so invisible bytes (CR, NUL) stay visible
local function show(v)
  if type(v) == "string" then
    if #v > 200 then
      return string.format("%q", v:sub(1, 200)) .. string.format(" (+%d bytes)", #v - 200)
    end
    return string.format("%q", v)
  end
  return tostring(v)
end
tap.show = show

-- level 3: blame the test line that called eq/ok, not this file
function tap.eq(actual, expected, msg)
  if actual ~= expected then
    error(string.format("%s: expected %s, got %s", msg or "eq",
      show(expected), show(actual)), 2)
  end
  return actual
end

function tap.ok(v, msg)
  if not v then
    error((msg or "ok") .. ": got " .. show(v), 2)
  end
  return v
end

-- string.find with plain=false; the message shows the pattern and the subject
function tap.match(s, pattern, msg)
  if type(s) ~= "string" or not s:find(pattern) then
    error(string.format("%s: %s does not match %s", msg or "match",
      show(s), show(pattern)), 2)
  end
  return s
end

-- keep only the frames that point into test files: C and tap.lua frames are noise
local function traceback(err)
  local tb = debug and debug.traceback and debug.traceback("", 2) or ""
  local keep = {}
  for line in tb:gmatch("[^\n]+") do
    if line:find("%.lua:%d+:") and not line:find("tap%.lua:") then
      keep[#keep + 1] = line
    end
  end
  return tostring(err) .. (#keep > 0 and ("\n" .. table.concat(keep, "\n")) or "")
end

function tap.run()
  io.stdout:setvbuf("line")
  print("1.." .. #cases)
  local failed, passed, known = 0, 0, 0
  for i = 1, #cases do
    local case = cases[i]
    if case.skip then
      print(string.format("ok %d - %s # SKIP %s", i, case.name, case.skip))
    else
      local ok, err = xpcall(case.fn, traceback)
      if ok and case.known then
        failed = failed + 1
        print(string.format("not ok %d - %s", i, case.name))
        tap.diag("listed as a known failure (" .. case.known .. ") but it passed")
      elseif ok then
        passed = passed + 1
        print(string.format("ok %d - %s", i, case.name))
      elseif case.known then
        known = known + 1
        print(string.format("not ok %d - %s # TODO %s", i, case.name, case.known))
        tap.diag(err)
      else
        failed = failed + 1
        print(string.format("not ok %d - %s", i, case.name))
        tap.diag(err)
      end
    end
  end
  if known > 0 then
    print(string.format("# %d of %d tests passed, %d known failures", passed, #cases, known))
  end
  if failed > 0 then
    print(string.format("# %d of %d tests failed", failed, #cases))
  elseif known == 0 then
    print(string.format("# all %d tests passed", #cases))
  end
  io.stdout:flush()
  -- close the state on the way out: finalizers run, so a leak checker sees
  -- only what was really lost (LuaJIT keeps its objects where LSan does not look)
  os.exit(failed > 0 and 1 or 0, true)
end

tap.unpack = unpack
return tap
