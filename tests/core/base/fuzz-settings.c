/* fuzz-settings.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* libFuzzer target for the settings file (src/core/base/dc-settings.c): any text is a key
 * file that loads or fails with an error naming the file; settings that load are saved and
 * load again to the same values. */

#include "config.h"

#include "dc-settings.h"
#include "dc-test-fuzz.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Unknown keys are reported with g_message(): not worth a line per input. */
static void
quiet_log (const char     *log_domain,
           GLogLevelFlags  log_level,
           const char     *message,
           gpointer        user_data)
{
}

static void
assert_same (const DcSettings *a,
             const DcSettings *b)
{
  g_assert_cmpuint (a->port, ==, b->port);
  g_assert_cmpstr (a->bind, ==, b->bind);
  g_assert_cmpstr (a->db, ==, b->db);
  g_assert_cmpstr (a->history_db, ==, b->history_db);
  g_assert_cmpstr (a->user_db, ==, b->user_db);
  g_assert_cmpstr (a->token_file, ==, b->token_file);
  g_assert_cmpuint (a->call_timeout_s, ==, b->call_timeout_s);
  g_assert_cmpint (a->max_samples, ==, b->max_samples);
  g_assert_cmpuint (a->max_future_s, ==, b->max_future_s);
  g_assert_cmpuint (a->retention_days, ==, b->retention_days);
  g_assert_cmpuint (a->backlog_mb, ==, b->backlog_mb);
  g_assert_cmpstr (a->history_backend, ==, b->history_backend);
  g_assert_cmpstr (a->history_url, ==, b->history_url);
  g_assert_cmpstr (a->history_password_file, ==, b->history_password_file);
  g_assert_cmpstr (a->tls_cert, ==, b->tls_cert);
  g_assert_cmpstr (a->tls_key, ==, b->tls_key);
  g_assert_cmpint (a->formulas, ==, b->formulas);
  g_assert_cmpint (a->alarms, ==, b->alarms);
  g_assert_cmpint (a->templates, ==, b->templates);
  g_assert_cmpint (a->verbose, ==, b->verbose);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GKeyFile) saved_file = g_key_file_new ();
  g_autoptr(DcSettings) settings = dc_settings_new ();
  g_autoptr(DcSettings) again = dc_settings_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  static gboolean quiet;

  if (!quiet)
    {
      g_log_set_handler ("dc-settings", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, quiet_log, NULL);
      quiet = TRUE;
    }
  path = g_build_filename (dc_test_fuzz_dir (), "datacoll.conf", NULL);

  if (!g_key_file_load_from_data (key_file, (const char *) data, size, G_KEY_FILE_KEEP_COMMENTS,
                                  &error))
    return 0;
  if (!dc_settings_load_key_file (settings, key_file, path, &error))
    {
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, path));
      return 0;
    }
  g_assert_no_error (error);

  /* Saved over the input (comments and unknown keys are kept), then read back. */
  g_assert_true (g_file_set_contents (path, (const char *) data, size, NULL));
  if (!dc_settings_save (settings, path, &error))
    g_error ("settings that loaded do not save: %s", error->message);
  g_assert_true (g_key_file_load_from_file (saved_file, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  if (!dc_settings_load_key_file (again, saved_file, path, &error))
    g_error ("saved settings do not load: %s", error->message);
  assert_same (settings, again);
  return 0;
}
