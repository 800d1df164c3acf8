# httpref.1 = httpref.1.in with @EXIT_CODES@ replaced by `httpref --exit-codes --roff`
execute_process(COMMAND ${BIN} --exit-codes --roff OUTPUT_VARIABLE codes RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "httpref --exit-codes failed")
endif()
file(READ ${IN} text)
string(REPLACE "@EXIT_CODES@" "${codes}" text "${text}")
file(WRITE ${OUT} "${text}")
