#include "FuzzDriver.h"

/* Provided by libclang_rt.fuzzer, linked in by `swiftc -sanitize=fuzzer`. */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int etl_fuzz_run(int argc, char **argv, int (*test_one_input)(const uint8_t *data, size_t size)) {
    return LLVMFuzzerRunDriver(&argc, &argv, test_one_input);
}
