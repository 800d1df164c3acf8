# The Go adapters (go-net-http, go-fasthttp), built offline in GOPATH mode:
# this folder is linked into a GOPATH inside the build tree as
# httpref.invalid/adapters, and Debian's /usr/share/gocode (golang-*-dev
# packages) supplies fasthttp and its dependencies. No module is downloaded
# (GO111MODULE=off, GOPROXY=off); the build cache stays in build/.
find_program(HTTPREF_GO go)
if(NOT HTTPREF_GO)
  message(STATUS "Go adapters: go not found (Debian golang-go), skipped")
  return()
endif()

set(_go_dir ${CMAKE_CURRENT_LIST_DIR})
set(_go_root ${CMAKE_BINARY_DIR}/go)
set(_go_src ${_go_root}/gopath/src/httpref.invalid)
file(MAKE_DIRECTORY ${_go_src})
if(NOT EXISTS ${_go_src}/adapters)
  file(CREATE_LINK ${_go_dir} ${_go_src}/adapters SYMBOLIC)
endif()
set(_gocode /usr/share/gocode)
set(_go_env ${CMAKE_COMMAND} -E env GO111MODULE=off GOFLAGS= GOPROXY=off GOTOOLCHAIN=local
  GOPATH=${_go_root}/gopath:${_gocode} GOCACHE=${_go_root}/cache)
file(GLOB _go_common ${_go_dir}/goadapter/*.go)

# go_adapter(name dir [LDFLAGS flags] [DEPENDS files...])
function(go_adapter name dir)
  cmake_parse_arguments(A "" "LDFLAGS" "DEPENDS" ${ARGN})
  file(GLOB _srcs ${_go_dir}/${dir}/*.go)
  set(_out ${HTTPREF_ADAPTER_DIR}/${name})
  add_custom_command(OUTPUT ${_out}
    COMMAND ${_go_env} ${HTTPREF_GO} build -trimpath "-ldflags=-s -w ${A_LDFLAGS}" -o ${_out}
            httpref.invalid/adapters/${dir}
    DEPENDS ${_srcs} ${_go_common} ${A_DEPENDS}
    WORKING_DIRECTORY ${_go_src}/adapters COMMENT "Go adapter ${name}" VERBATIM)
  add_custom_target(adapter-${name} ALL DEPENDS ${_out})
endfunction()

go_adapter(go-net-http net-http)
set(_fasthttp ${_gocode}/src/github.com/valyala/fasthttp)
if(EXISTS ${_fasthttp}/client.go)
  # fasthttp has no version constant: the Debian package's, read when configured; a
  # reinstalled package re-runs the configure (its dpkg file list changes) and the build
  set(_pkg golang-github-valyala-fasthttp-dev)
  execute_process(COMMAND dpkg-query -W -f=\${Version} ${_pkg} OUTPUT_VARIABLE _v ERROR_QUIET)
  if(EXISTS /var/lib/dpkg/info/${_pkg}.list)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS /var/lib/dpkg/info/${_pkg}.list)
  endif()
  go_adapter(go-fasthttp fasthttp LDFLAGS "-X main.libVersion=${_v}" DEPENDS ${_fasthttp}/client.go)
else()
  message(STATUS "Go adapters: fasthttp not found (Debian golang-github-valyala-fasthttp-dev), go-fasthttp skipped")
endif()
