/* dc-test-fuzz.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-test"

#include "config.h"

#include "dc-test-fuzz.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dc-test-store.h"

static char *fuzz_dir;

static void
remove_fuzz_dir (void)
{
  dc_test_remove_dir (fuzz_dir);
}

const char *
dc_test_fuzz_dir (void)
{
  if (fuzz_dir == NULL)
    {
      const char *base = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) &&
                         g_access ("/dev/shm", W_OK) == 0 ? "/dev/shm" : g_get_tmp_dir ();

      fuzz_dir = g_build_filename (base, "dc-fuzz-XXXXXX", NULL);
      if (g_mkdtemp (fuzz_dir) == NULL)
        g_error ("cannot create %s: %s", fuzz_dir, g_strerror (errno));
      atexit (remove_fuzz_dir);
    }
  return fuzz_dir;
}

int
dc_test_fuzz_corpus (int             argc,
                     char           *argv[],
                     DcTestFuzzFunc  func)
{
  guint n_files = 0;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
      const char *name;

      if (dir == NULL)
        {
          g_printerr ("cannot open corpus %s\n", argv[i]);
          return 1;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (argv[i], name, NULL);
          g_autofree char *contents = NULL;
          gsize len = 0;

          if (!g_file_get_contents (path, &contents, &len, NULL))
            {
              g_printerr ("cannot read %s\n", path);
              return 1;
            }
          for (gsize cut = 0; cut <= len; cut++)
            {
              g_autofree guint8 *copy = g_malloc (MAX (cut, 1));

              memcpy (copy, contents, cut);
              func (copy, cut);
            }
          n_files++;
        }
    }
  g_print ("1..1\nok 1 %u corpus files\n", n_files);
  return n_files > 0 ? 0 : 1;
}
