/* libFuzzer target: the chunked decoder and trailers, behind a fixed head. */
#include "fuzz_driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_one(data, size, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
}
