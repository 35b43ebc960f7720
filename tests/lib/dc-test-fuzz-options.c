/* dc-test-fuzz-options.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* Linked into every libFuzzer target (tests/…/meson.build: fuzz_options). A failed g_error(),
 * or a critical or warning made fatal, ends in SIGTRAP, which libFuzzer does not catch: the
 * AddressSanitizer handler takes it, so that the input is written out as a crash like any
 * other. */

#include "config.h"

const char *__asan_default_options (void);

const char *
__asan_default_options (void)
{
  return "handle_sigtrap=1";
}
