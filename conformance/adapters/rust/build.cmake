# The Rust adapters (rust-ureq, rust-reqwest), built offline with Debian's cargo
# (/usr/bin/cargo and /usr/bin/rustc: a rustup toolchain first on PATH is not
# used) against Debian's crate registry /usr/share/cargo/registry (librust-*-dev
# packages) as a `directory` source; CARGO_HOME, the copied sources (cargo writes
# Cargo.lock beside the manifest) and the target dir all stay in build/rust.
set(_cargo /usr/bin/cargo)
set(_rustc /usr/bin/rustc)
set(_registry /usr/share/cargo/registry)
if(NOT EXISTS ${_cargo} OR NOT EXISTS ${_rustc} OR NOT IS_DIRECTORY ${_registry})
  message(STATUS "Rust adapters: Debian cargo/rustc or ${_registry} not found (Debian cargo), skipped")
  return()
endif()

set(_rs_root ${CMAKE_BINARY_DIR}/rust)
file(WRITE ${_rs_root}/cargo-home/config.toml
  "[source.crates-io]\nreplace-with = \"debian\"\n[source.debian]\ndirectory = \"${_registry}\"\n[net]\noffline = true\n")
set(_rs_src ${CMAKE_CURRENT_LIST_DIR})

# rust_adapter(name crate-dir debian-package crate-glob)
function(rust_adapter name dir pkg crate)
  file(GLOB _have ${_registry}/${crate})
  if(NOT _have)
    message(STATUS "Rust adapters: ${crate} not in ${_registry} (Debian ${pkg}), ${name} skipped")
    return()
  endif()
  # the crate has no version constant: the Debian package's, read when configured
  execute_process(COMMAND dpkg-query -W -f=\${Version} ${pkg} OUTPUT_VARIABLE _v ERROR_QUIET)
  if(EXISTS /var/lib/dpkg/info/${pkg}.list)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS /var/lib/dpkg/info/${pkg}.list)
  endif()
  file(GLOB _srcs ${_rs_src}/${dir}/src/*.rs)
  set(_out ${HTTPREF_ADAPTER_DIR}/${name})
  add_custom_command(OUTPUT ${_out}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${_rs_src}/common.rs ${_rs_root}/src/common.rs
    COMMAND ${CMAKE_COMMAND} -E copy_directory ${_rs_src}/${dir} ${_rs_root}/src/${dir}
    COMMAND ${CMAKE_COMMAND} -E env CARGO_HOME=${_rs_root}/cargo-home RUSTC=${_rustc} HTTPREF_LIB_VERSION=${_v}
            ${_cargo} build --offline --release --quiet -j2 --manifest-path ${_rs_root}/src/${dir}/Cargo.toml
            --target-dir ${_rs_root}/target
    COMMAND ${CMAKE_COMMAND} -E copy ${_rs_root}/target/release/${name} ${_out}
    DEPENDS ${_srcs} ${_rs_src}/common.rs ${_rs_src}/${dir}/Cargo.toml
    COMMENT "Rust adapter ${name} (cargo --offline)" VERBATIM)
  add_custom_target(adapter-${name} ALL DEPENDS ${_out})
endfunction()

rust_adapter(rust-ureq ureq librust-ureq-dev "ureq-2*")
# reqwest pulls tokio, hyper and native-tls (openssl-sys: libssl-dev): minutes on 2 cores
rust_adapter(rust-reqwest reqwest librust-reqwest-dev "reqwest-0.11*")
