# Registers the Python suites with ctest so `ctest` runs everything.
# Debian's python3 is used explicitly: the pyenv one on PATH lacks pytest.
set(_py ${HTTPREF_PYTHON} -m pytest -q -p no:cacheprovider)

if(EXISTS ${CMAKE_SOURCE_DIR}/server-fixtures/tests)
  add_test(NAME fixtures_pytest
           COMMAND ${_py} ${CMAKE_SOURCE_DIR}/server-fixtures/tests
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/server-fixtures)
  set_tests_properties(fixtures_pytest PROPERTIES TIMEOUT 600 LABELS python)
endif()

if(EXISTS ${CMAKE_SOURCE_DIR}/conformance/tests)
  add_test(NAME conformance_selftest
           COMMAND ${_py} ${CMAKE_SOURCE_DIR}/conformance/tests
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(conformance_selftest PROPERTIES TIMEOUT 900 LABELS python
    ENVIRONMENT "HTTPREF_BIN=${CMAKE_BINARY_DIR}/bin/httpref;HTTPREF_BUILD_DIR=${CMAKE_BINARY_DIR}")
endif()

# house rules a compiler does not check (tools/checksrc) and the C tests' label
# (--build-dir: CALLCYCLE reads the objects of this build)
add_test(NAME checksrc COMMAND ${HTTPREF_PYTHON} ${CMAKE_SOURCE_DIR}/tools/checksrc --build-dir ${CMAKE_BINARY_DIR})
set_tests_properties(checksrc PROPERTIES LABELS lint)

# conformance/TRACEABILITY.md must match the scenario files
add_test(NAME traceability_current COMMAND ${HTTPREF_PYTHON} ${CMAKE_SOURCE_DIR}/tools/traceability --check)
set_tests_properties(traceability_current PROPERTIES LABELS lint)

# tools/bench runs end to end at toy sizes (it must not rot between benchmark runs); it times
# nothing that is judged here: speed lives in the benchmark, not in a test
add_test(NAME bench_smoke COMMAND ${HTTPREF_PYTHON} ${CMAKE_SOURCE_DIR}/tools/bench --smoke
                                  --out ${CMAKE_BINARY_DIR}/bench-smoke)
set_tests_properties(bench_smoke PROPERTIES LABELS python TIMEOUT 300
  ENVIRONMENT "HTTPREF_BUILD_DIR=${CMAKE_BINARY_DIR}")
