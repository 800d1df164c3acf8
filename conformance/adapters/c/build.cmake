# C adapters of scored peers: libsoup 3 (GNOME's HTTP client) and neon (Subversion's
# and cadaver's), both speaking the adapter protocol through cadapter.c and json-glib,
# found by pkg-config. A missing library: one STATUS line, no target (the wrappers
# conformance/adapters/libsoup3 and neon then answer --describe with exit 4 or 3).
# The adapters are peers, not our code: built without the sanitizer or coverage flags
# of an instrumented httpref build.
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(HTTPREF_JSONGLIB QUIET IMPORTED_TARGET json-glib-1.0)
  pkg_check_modules(HTTPREF_SOUP3 QUIET IMPORTED_TARGET libsoup-3.0)
  pkg_check_modules(HTTPREF_NEON QUIET IMPORTED_TARGET neon)
endif()
if(NOT HTTPREF_JSONGLIB_FOUND)
  message(STATUS "peer adapters: libsoup3 and neon skipped (pkg-config json-glib-1.0 not found; Debian libjson-glib-dev)")
  return()
endif()

function(httpref_c_adapter name module)
  add_executable(adapter_${name} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/${name}.c
                 ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/cadapter.c)
  target_link_libraries(adapter_${name} PRIVATE PkgConfig::${module} PkgConfig::HTTPREF_JSONGLIB)
  set_target_properties(adapter_${name} PROPERTIES OUTPUT_NAME ${name} RUNTIME_OUTPUT_DIRECTORY ${HTTPREF_ADAPTER_DIR}
                        COMPILE_OPTIONS "${HTTPREF_WARNINGS}" LINK_OPTIONS "")
endfunction()

if(HTTPREF_SOUP3_FOUND)
  httpref_c_adapter(libsoup3 HTTPREF_SOUP3)
else()
  message(STATUS "peer adapters: libsoup3 skipped (pkg-config libsoup-3.0 not found; Debian libsoup-3.0-dev)")
endif()
if(HTTPREF_NEON_FOUND)
  httpref_c_adapter(neon HTTPREF_NEON)
else()
  message(STATUS "peer adapters: neon skipped (pkg-config neon not found; Debian libneon27-dev)")
endif()
