/* test-settings.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gstdio.h>

#include "dc-error.h"
#include "dc-settings.h"

/* Parses @args (NULL-terminated, without argv[0]) with the settings' option group, then loads. */
static DcSettings *
load (const char * const *args,
      GError            **error)
{
  g_autoptr(DcSettings) settings = dc_settings_new ();
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) strv = NULL;

  g_option_context_set_main_group (context, dc_settings_get_option_group (settings));
  g_ptr_array_add (argv, g_strdup ("datacoll"));
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  strv = (GStrv) g_ptr_array_steal (argv, NULL);

  if (!g_option_context_parse_strv (context, &strv, error))
    return NULL;
  if (!dc_settings_load (settings, error))
    return NULL;

  return g_steal_pointer (&settings);
}

static char *
write_config (const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dc-settings-XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, "datacoll.conf", NULL);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcSettings) settings = NULL;
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "datacoll", "datacoll.db", NULL);
  g_autofree char *history = g_build_filename (g_get_user_data_dir (), "datacoll",
                                               "datacoll-history.db", NULL);

  if (g_file_test ("/etc/datacoll/datacoll.conf", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("/etc/datacoll/datacoll.conf exists on this machine");
      return;
    }

  settings = load (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (settings->port, ==, 8080);
  g_assert_cmpstr (settings->bind, ==, "127.0.0.1");
  g_assert_cmpstr (settings->db, ==, db);
  g_assert_cmpstr (settings->history_db, ==, history);
  g_assert_null (settings->user_db);
  g_assert_null (settings->token_file);
  g_assert_cmpuint (settings->call_timeout_s, ==, 10);
  g_assert_cmpint (settings->max_samples, ==, 100000);
  g_assert_cmpuint (settings->retention_days, ==, 365);
  g_assert_cmpstr (settings->history_backend, ==, "sqlite");
  g_assert_null (settings->history_url);
  g_assert_null (settings->history_password_file);
  g_assert_true (settings->formulas);
  g_assert_true (settings->alarms);
  g_assert_true (settings->templates);
  g_assert_false (settings->verbose);
  g_assert_null (settings->config_file);
}

/* Command line > file > defaults; relative paths in the file are relative to the file. */
static void
test_precedence (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_config ("# a comment\n"
                                        "[server]\nport=9001\nbind=0.0.0.0\ndb=data/dc.db\n"
                                        "token_file=/etc/token\ncall_timeout_s=3\nmax_samples=50\n"
                                        "[history]\nretention_days=30\nbackend=postgresql\n"
                                        "url=postgresql:///plant?host=/run/pg\n"
                                        "password_file=pg.pass\n"
                                        "[plugins]\nalarms=false\n[log]\nverbose=true\n");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *db = g_build_filename (dir, "data", "dc.db", NULL);
  g_autofree char *history = g_build_filename (dir, "data", "dc-history.db", NULL);
  g_autoptr(DcSettings) from_file = NULL;
  g_autoptr(DcSettings) overridden = NULL;
  const char *file_args[] = { "--config", path, NULL };
  const char *cli_args[] = { "--config", path, "--port", "0", "--db", "cli.db", "--bind", "::1",
                             "--call-timeout", "20", "--max-samples", "7", "--token-file", "",
                             "--history-db", "/h.db", NULL };

  from_file = load (file_args, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (from_file->port, ==, 9001);
  g_assert_cmpstr (from_file->bind, ==, "0.0.0.0");
  g_assert_cmpstr (from_file->db, ==, db);
  g_assert_cmpstr (from_file->history_db, ==, history);
  g_assert_cmpstr (from_file->token_file, ==, "/etc/token");
  g_assert_cmpuint (from_file->call_timeout_s, ==, 3);
  g_assert_cmpint (from_file->max_samples, ==, 50);
  g_assert_cmpuint (from_file->retention_days, ==, 30);
  g_assert_cmpstr (from_file->history_backend, ==, "postgresql");
  g_assert_cmpstr (from_file->history_url, ==, "postgresql:///plant?host=/run/pg");
  g_assert_true (g_str_has_suffix (from_file->history_password_file, "/pg.pass"));
  g_assert_true (g_path_is_absolute (from_file->history_password_file));
  g_assert_false (from_file->alarms);
  g_assert_true (from_file->formulas);
  g_assert_true (from_file->verbose);
  g_assert_cmpstr (from_file->config_file, ==, path);

  overridden = load (cli_args, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (overridden->port, ==, 0);
  g_assert_cmpstr (overridden->bind, ==, "::1");
  g_assert_cmpstr (overridden->db, ==, "cli.db");
  g_assert_cmpstr (overridden->history_db, ==, "/h.db");
  g_assert_null (overridden->token_file);
  g_assert_cmpuint (overridden->call_timeout_s, ==, 20);
  g_assert_cmpint (overridden->max_samples, ==, 7);
  /* Keys the command line does not name still come from the file. */
  g_assert_cmpuint (overridden->retention_days, ==, 30);
  g_assert_false (overridden->alarms);

  g_unlink (path);
  g_rmdir (dir);
}

/* Without --config: $XDG_CONFIG_HOME/datacoll/datacoll.conf. */
static void
test_user_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = dc_settings_get_user_config_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(DcSettings) settings = NULL;

  g_assert_true (g_str_has_prefix (path, g_get_user_config_dir ()));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, "[server]\nport=1234\n", -1, &error);
  g_assert_no_error (error);

  settings = load (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (settings->port, ==, 1234);
  g_assert_cmpstr (settings->config_file, ==, path);
  g_unlink (path);
}

typedef struct
{
  const char *contents;
  const char *message;  /* after "<file>: " */
} BadFile;

static const BadFile bad_files[] = {
  { "[server]\nport=70000\n", "[server] port must be an integer between 0 and 65535" },
  { "[server]\nport=abc\n", "[server] port must be an integer between 0 and 65535" },
  { "[server]\nport=-1\n", "[server] port must be an integer between 0 and 65535" },
  { "[server]\ncall_timeout_s=0\n",
    "[server] call_timeout_s must be an integer between 1 and 3600" },
  { "[server]\nmax_samples=1.5\n",
    "[server] max_samples must be an integer between 1 and 100000000" },
  { "[history]\nretention_days=0\n",
    "[history] retention_days must be an integer between 1 and 1000000" },
  { "[plugins]\nformulas=maybe\n", "[plugins] formulas must be true or false" },
  { "[log]\nverbose=2\n", "[log] verbose must be true or false" },
  { "[server]\nbind=\n", "[server] bind must not be empty" },
  { "[history]\nbackend=mysql\n", "[history] backend must be sqlite or postgresql" },
  { "[history]\nbackend=postgresql\n", "[history] url is required with backend=postgresql" },
  /* A value that is no text was ignored: the default database was used instead (found by
   * fuzz-settings). */
  { "[server]\ndb=/srv/\xe4.db\n", "[server] db must be UTF-8 text" },
  { "[server]\ndb=a.db\ndb=b\xe4.db\n", "[server] db must be UTF-8 text" },
  { "[server]\nbind=\xff\n", "[server] bind must be UTF-8 text" },
};

static void
test_bad_file (gconstpointer data)
{
  const BadFile *bad = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_config (bad->contents);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *want = g_strdup_printf ("%s: %s", path, bad->message);
  const char *args[] = { "--config", path, NULL };
  g_autoptr(DcSettings) settings = load (args, &error);

  g_assert_null (settings);
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, want);
  g_unlink (path);
  g_rmdir (dir);
}

/* [server] tls_cert and tls_key: paths relative to the file, both or neither. */
static void
test_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_config ("[server]\ntls_cert=tls/cert.pem\ntls_key=tls/key.pem\n");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *cert = g_build_filename (dir, "tls", "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "tls", "key.pem", NULL);
  g_autoptr(DcSettings) settings = NULL;
  g_autoptr(DcSettings) cleared = NULL;
  g_autoptr(DcSettings) alone = NULL;
  const char *file_args[] = { "--config", path, NULL };
  const char *clear_args[] = { "--config", path, "--tls-cert", "", "--tls-key", "", NULL };
  const char *alone_args[] = { "--config", path, "--tls-key", "", NULL };

  settings = load (file_args, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (settings->tls_cert, ==, cert);
  g_assert_cmpstr (settings->tls_key, ==, key);
  cleared = load (clear_args, &error);
  g_assert_no_error (error);
  g_assert_null (cleared->tls_cert);
  g_assert_null (cleared->tls_key);
  alone = load (alone_args, &error);
  g_assert_null (alone);
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "[server] tls_cert and tls_key (--tls-cert, --tls-key) go together");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_bad_command_line (void)
{
  g_autoptr(GError) error = NULL;
  const char *missing[] = { "--config", "/nonexistent/datacoll.conf", NULL };
  const char *port[] = { "--port", "65536", NULL };
  const char *timeout[] = { "--call-timeout", "0", NULL };
  const char *samples[] = { "--max-samples", "0", NULL };
  const char *not_a_number[] = { "--port", "eighty", NULL };
  DcSettings *settings;

  settings = load (missing, &error);
  g_assert_null (settings);
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message,
                                   "cannot read configuration file /nonexistent/datacoll.conf: "));
  g_clear_error (&error);

  settings = load (port, &error);
  g_assert_null (settings);
  g_assert_cmpstr (error->message, ==, "--port must be an integer between 0 and 65535");
  g_clear_error (&error);

  settings = load (timeout, &error);
  g_assert_null (settings);
  g_assert_cmpstr (error->message, ==, "--call-timeout must be an integer between 1 and 3600");
  g_clear_error (&error);

  settings = load (samples, &error);
  g_assert_null (settings);
  g_assert_cmpstr (error->message, ==, "--max-samples must be an integer between 1 and 100000000");
  g_clear_error (&error);

  settings = load (not_a_number, &error);
  g_assert_null (settings);
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
}

/* What the GUI writes is what the server reads; comments survive. */
static void
test_save (void)
{
  g_autoptr(GError) error = NULL;
  /* user_db twice: removing it must remove both (found by fuzz-settings: the first came back). */
  g_autofree char *path = write_config ("# keep me\n[server]\nport=1\nuser_db=/old/a.db\n"
                                        "user_db=/old/b.db\n[other]\nx=y\n");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *contents = NULL;
  g_autoptr(DcSettings) settings = dc_settings_new ();
  g_autoptr(DcSettings) reloaded = NULL;
  const char *args[] = { "--config", path, NULL };

  settings->port = 8443;
  g_free (settings->bind);
  settings->bind = g_strdup ("0.0.0.0");
  settings->db = g_strdup ("/var/lib/datacoll/datacoll.db");
  settings->token_file = g_strdup ("/etc/datacoll/token");
  settings->templates = FALSE;
  settings->retention_days = 90;
  g_free (settings->history_backend);
  settings->history_backend = g_strdup ("postgresql");
  settings->history_url = g_strdup ("postgresql://db.plant/history");
  g_assert_true (dc_settings_save (settings, path, &error));
  g_assert_no_error (error);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "# keep me"));
  g_assert_nonnull (strstr (contents, "[other]"));

  reloaded = load (args, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reloaded->port, ==, 8443);
  g_assert_cmpstr (reloaded->bind, ==, "0.0.0.0");
  g_assert_cmpstr (reloaded->db, ==, "/var/lib/datacoll/datacoll.db");
  g_assert_cmpstr (reloaded->history_db, ==, "/var/lib/datacoll/datacoll-history.db");
  g_assert_cmpstr (reloaded->token_file, ==, "/etc/datacoll/token");
  g_assert_cmpstr (reloaded->history_backend, ==, "postgresql");
  g_assert_cmpstr (reloaded->history_url, ==, "postgresql://db.plant/history");
  g_assert_null (reloaded->history_password_file);
  g_assert_null (reloaded->user_db);
  g_assert_false (reloaded->templates);
  g_assert_cmpuint (reloaded->retention_days, ==, 90);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/settings/defaults", test_defaults);
  g_test_add_func ("/dc/settings/precedence", test_precedence);
  g_test_add_func ("/dc/settings/user-config", test_user_config);
  for (guint i = 0; i < G_N_ELEMENTS (bad_files); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/settings/bad-file/%u", i);

      g_test_add_data_func (path, &bad_files[i], test_bad_file);
    }
  g_test_add_func ("/dc/settings/bad-command-line", test_bad_command_line);
  g_test_add_func ("/dc/settings/tls", test_tls);
  g_test_add_func ("/dc/settings/save", test_save);

  return g_test_run ();
}
