# The JVM adapters (java-httpclient, java-urlconnection): the sources under
# src/ compiled by javac (Debian openjdk-17-jdk-headless) into
# ${HTTPREF_ADAPTER_DIR}/jvm/classes, which the wrappers put on the class path.
# Nothing is downloaded: both clients are in the JDK.
find_program(HTTPREF_JAVAC javac)
if(NOT HTTPREF_JAVAC)
  message(STATUS "JVM adapters: javac not found (Debian openjdk-17-jdk-headless), skipped")
  return()
endif()

file(GLOB _jvm_srcs ${CMAKE_CURRENT_LIST_DIR}/src/httpref/adapters/*.java)
set(_jvm_out ${HTTPREF_ADAPTER_DIR}/jvm/classes)
set(_jvm_stamp ${HTTPREF_ADAPTER_DIR}/jvm/classes.stamp)
add_custom_command(OUTPUT ${_jvm_stamp}
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${_jvm_out}
  COMMAND ${HTTPREF_JAVAC} -encoding UTF-8 --release 17 -Xlint:all -Werror -d ${_jvm_out} ${_jvm_srcs}
  COMMAND ${CMAKE_COMMAND} -E touch ${_jvm_stamp}
  DEPENDS ${_jvm_srcs} COMMENT "JVM adapters (javac)" VERBATIM)
add_custom_target(adapters-jvm ALL DEPENDS ${_jvm_stamp})
