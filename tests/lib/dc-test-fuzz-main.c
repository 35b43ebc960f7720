/* dc-test-fuzz-main.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* main() of a fuzz target's corpus test: the target's file plus this one, linked with the
 * dc-test library; without libFuzzer, LLVMFuzzerTestOneInput runs over the seed corpus. */

#define G_LOG_DOMAIN "dc-test"

#include "config.h"

#include "dc-test-fuzz.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
main (int   argc,
      char *argv[])
{
  return dc_test_fuzz_corpus (argc, argv, LLVMFuzzerTestOneInput);
}
