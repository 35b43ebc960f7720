/* dc-test-fuzz.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* The corpus test of a libFuzzer target: its entry point built without libFuzzer, with
 * dc-test-fuzz-main.c as main(), and run over the seed corpus as a regular test. */

#include <glib.h>

G_BEGIN_DECLS

typedef int (*DcTestFuzzFunc) (const guint8 *data,
                               size_t        size);

/* Runs @func over every file of the directories named in @argv[1…] and over every prefix of
 * each file, each in a buffer of its exact size (so that AddressSanitizer sees a read past the
 * end). Prints a TAP line; returns main()'s exit status: 1 when a directory or file cannot be
 * read or no file was found. */
int dc_test_fuzz_corpus (int             argc,
                         char           *argv[],
                         DcTestFuzzFunc  func);

/* A folder for a fuzz target's files (a store, a settings file), made once per process in
 * /dev/shm when there is one (every input writes: no disk in the loop), else in the temporary
 * folder, and removed with what it holds when the process exits. Owned by the library. */
const char *dc_test_fuzz_dir     (void);

G_END_DECLS
