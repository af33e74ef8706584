#ifndef ETL_FUZZ_DRIVER_H
#define ETL_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer on `test_one_input` with the command-line options in argv.
/// SwiftPM gives every executable its own `main`, so libFuzzer's is not used;
/// this hands control to libFuzzer's driver instead (LLVMFuzzerRunDriver).
int etl_fuzz_run(int argc, char **argv, int (*test_one_input)(const uint8_t *data, size_t size));

#endif
