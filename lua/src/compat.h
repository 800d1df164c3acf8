/* The few Lua C API differences between 5.1/LuaJIT and 5.4 the binding meets. */
#ifndef HTTPREF_LUA_COMPAT_H
#define HTTPREF_LUA_COMPAT_H

#include <lua.h>
#include <lauxlib.h>

#if LUA_VERSION_NUM < 502
/* LuaJIT 2.1 already has the first and the last of these */
#ifndef luaL_newlib
#define luaL_newlib(L, l) (lua_newtable(L), luaL_register(L, NULL, l))
#endif
#define lua_rawlen(L, i) lua_objlen(L, i)
#ifndef LUAJIT_VERSION
#define luaL_setmetatable(L, name) (luaL_getmetatable(L, name), lua_setmetatable(L, -2))
#endif
#endif

#endif
