/* dc-settings.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-settings"

#include "config.h"

#include "dc-settings.h"

#include <errno.h>

#include <glib/gi18n.h>

#include "dc-companion.h"
#include "dc-error.h"

#define SYSTEM_CONFIG_PATH "/etc/datacoll/datacoll.conf"

typedef struct
{
  DcSettings  pub;

  /* The command line; -1 / NULL / FALSE = not given. */
  int         cli_port;
  char       *cli_bind;
  char       *cli_db;
  char       *cli_history_db;
  char       *cli_audit_db;
  char       *cli_user_db;
  char       *cli_config;
  char       *cli_token_file;
  char       *cli_tls_cert;
  char       *cli_tls_key;
  int         cli_call_timeout;
  gint64      cli_max_samples;
  gboolean    cli_verbose;
} DcSettingsReal;

/* Every key of docs/model.md, for the unknown-key check and dc_settings_save(). */
static const struct
{
  const char *group;
  const char *key;
} known_keys[] = {
  { "server", "port" }, { "server", "bind" }, { "server", "db" }, { "server", "history_db" },
  { "server", "user_db" }, { "server", "token_file" }, { "server", "call_timeout_s" },
  { "server", "tls_cert" }, { "server", "tls_key" },
  { "server", "max_samples" }, { "server", "max_future_s" }, { "history", "retention_days" },
  { "history", "backlog_mb" }, { "history", "backend" }, { "history", "url" },
  { "history", "password_file" }, { "plugins", "formulas" },
  { "plugins", "alarms" }, { "plugins", "templates" }, { "log", "verbose" },
  { "server", "audit_db" }, { "audit", "retention_days" },
};

DcSettings *
dc_settings_new (void)
{
  DcSettingsReal *real = g_new0 (DcSettingsReal, 1);
  DcSettings *self = &real->pub;

  self->port = 8080;
  self->bind = g_strdup ("127.0.0.1");
  self->call_timeout_s = 10;
  self->max_samples = 100000;
  self->max_future_s = 600;
  self->retention_days = 365;
  self->backlog_mb = 16;
  self->history_backend = g_strdup ("sqlite");
  self->audit_retention_days = 3650;
  self->formulas = TRUE;
  self->alarms = TRUE;
  self->templates = TRUE;
  self->verbose = FALSE;

  real->cli_port = -1;
  real->cli_call_timeout = -1;
  real->cli_max_samples = -1;

  return self;
}

void
dc_settings_free (DcSettings *self)
{
  DcSettingsReal *real = (DcSettingsReal *) self;

  if (self == NULL)
    return;

  g_free (self->bind);
  g_free (self->db);
  g_free (self->history_db);
  g_free (self->history_backend);
  g_free (self->history_url);
  g_free (self->history_password_file);
  g_free (self->audit_db);
  g_free (self->user_db);
  g_free (self->token_file);
  g_free (self->tls_cert);
  g_free (self->tls_key);
  g_free (self->config_file);

  g_free (real->cli_bind);
  g_free (real->cli_db);
  g_free (real->cli_history_db);
  g_free (real->cli_audit_db);
  g_free (real->cli_user_db);
  g_free (real->cli_config);
  g_free (real->cli_token_file);
  g_free (real->cli_tls_cert);
  g_free (real->cli_tls_key);

  g_free (real);
}

GOptionGroup *
dc_settings_get_option_group (DcSettings *self)
{
  DcSettingsReal *real = (DcSettingsReal *) self;
  GOptionGroup *group;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &real->cli_port,
      N_("Listen on PORT (default 8080; 0 picks a free port)"), N_("PORT") },
    { "bind", 'b', 0, G_OPTION_ARG_STRING, &real->cli_bind,
      N_("Listen on ADDRESS (default 127.0.0.1; other addresses need --token-file)"),
      N_("ADDRESS") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &real->cli_db,
      N_("Configuration database (default: user data folder/datacoll/datacoll.db)"), N_("FILE") },
    { "history-db", 0, 0, G_OPTION_ARG_FILENAME, &real->cli_history_db,
      N_("History database (default: NAME-history.db next to --db NAME.db)"), N_("FILE") },
    { "audit-db", 0, 0, G_OPTION_ARG_FILENAME, &real->cli_audit_db,
      N_("Audit log (default: NAME-audit.db next to --db NAME.db)"), N_("FILE") },
    { "user-db", 0, 0, G_OPTION_ARG_FILENAME, &real->cli_user_db,
      N_("User database for db_save_sql/db_warn_sql templates"), N_("FILE") },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &real->cli_config,
      N_("Read settings from FILE (default: ~/.config/datacoll/datacoll.conf, then /etc)"),
      N_("FILE") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &real->cli_token_file,
      N_("Accept the bearer token in FILE as the admin \"token\" (docs/security.md)"),
      N_("FILE") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &real->cli_tls_cert,
      N_("Serve HTTPS and WSS only, with the PEM certificate in FILE (needs --tls-key)"),
      N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &real->cli_tls_key,
      N_("The PEM private key of --tls-cert"), N_("FILE") },
    { "call-timeout", 0, 0, G_OPTION_ARG_INT, &real->cli_call_timeout,
      N_("Deadline of device_call and device_ctrl in seconds (default 10)"), N_("SECONDS") },
    { "max-samples", 0, 0, G_OPTION_ARG_INT64, &real->cli_max_samples,
      N_("Most samples a history request returns without parameters (default 100000)"), N_("N") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &real->cli_verbose,
      N_("Log debug messages"), NULL },
    { NULL }
  };

  group = g_option_group_new ("settings", _("Server settings"), _("Show the server settings"),
                              NULL, NULL);
  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);

  return group;
}

static gboolean
read_uint (GKeyFile    *key_file,
           const char  *origin,
           const char  *group,
           const char  *key,
           guint64      min,
           guint64      max,
           guint64     *out,
           GError     **error)
{
  g_autofree char *value = NULL;
  guint64 number;

  value = g_key_file_get_value (key_file, group, key, NULL);
  if (value == NULL)
    return TRUE;
  g_strstrip (value);

  if (!g_ascii_string_to_unsigned (value, 10, min, max, &number, NULL))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "%s: [%s] %s must be an integer between %" G_GUINT64_FORMAT
                   " and %" G_GUINT64_FORMAT, origin, group, key, min, max);
      return FALSE;
    }

  *out = number;
  return TRUE;
}

static gboolean
read_bool (GKeyFile    *key_file,
           const char  *origin,
           const char  *group,
           const char  *key,
           gboolean    *out,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean value;

  if (!g_key_file_has_key (key_file, group, key, NULL))
    return TRUE;

  value = g_key_file_get_boolean (key_file, group, key, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "%s: [%s] %s must be true or false",
                   origin, group, key);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

/* Reads a text value into *@out (NULL when the key is absent). A value that is there but is
 * not UTF-8 is an error: ignoring it would quietly use the default (a database at another
 * path). An unknown escape stays as written, as GKeyFile returns it. */
static gboolean
read_text (GKeyFile    *key_file,
           const char  *origin,
           const char  *group,
           const char  *key,
           char       **out,
           GError     **error)
{
  *out = NULL;
  if (!g_key_file_has_key (key_file, group, key, NULL))
    return TRUE;
  *out = g_key_file_get_string (key_file, group, key, NULL);
  if (*out == NULL)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "%s: [%s] %s must be UTF-8 text",
                   origin, group, key);
      return FALSE;
    }
  return TRUE;
}

/* Reads a path; "" means none. Relative paths are relative to @base_dir when given. */
static gboolean
read_path (GKeyFile    *key_file,
           const char  *origin,
           const char  *base_dir,
           const char  *group,
           const char  *key,
           char       **out,
           GError     **error)
{
  g_autofree char *value = NULL;

  if (!read_text (key_file, origin, group, key, &value, error))
    return FALSE;
  if (value == NULL)
    return TRUE;
  g_strstrip (value);

  g_free (*out);
  if (value[0] == '\0')
    *out = NULL;
  else if (base_dir != NULL && !g_path_is_absolute (value))
    *out = g_build_filename (base_dir, value, NULL);
  else
    *out = g_steal_pointer (&value);
  return TRUE;
}

static void
warn_unknown_keys (GKeyFile   *key_file,
                   const char *origin)
{
  g_auto(GStrv) groups = g_key_file_get_groups (key_file, NULL);

  for (guint g = 0; groups[g] != NULL; g++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (key_file, groups[g], NULL, NULL);

      /* [sparkplug] is read (and checked) by the edge node's settings. */
      if (g_str_equal (groups[g], "sparkplug"))
        continue;
      for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
        {
          gboolean known = FALSE;

          for (guint i = 0; i < G_N_ELEMENTS (known_keys) && !known; i++)
            known = g_str_equal (known_keys[i].group, groups[g]) &&
                    g_str_equal (known_keys[i].key, keys[k]);
          if (!known)
            g_message ("%s: unknown setting [%s] %s ignored", origin, groups[g], keys[k]);
        }
    }
}

gboolean
dc_settings_load_key_file (DcSettings  *self,
                           GKeyFile    *key_file,
                           const char  *origin,
                           GError     **error)
{
  g_autofree char *base_dir = NULL;
  g_autofree char *bind = NULL;
  guint64 port = self->port;
  guint64 call_timeout = self->call_timeout_s;
  guint64 max_samples = self->max_samples;
  guint64 max_future = self->max_future_s;
  guint64 retention = self->retention_days;
  guint64 backlog = self->backlog_mb;
  guint64 audit_retention = self->audit_retention_days;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key_file != NULL, FALSE);

  if (origin == NULL)
    origin = "settings";
  else
    base_dir = g_path_get_dirname (origin);

  warn_unknown_keys (key_file, origin);

  if (!read_uint (key_file, origin, "server", "port", 0, 65535, &port, error) ||
      !read_uint (key_file, origin, "server", "call_timeout_s", 1, 3600, &call_timeout, error) ||
      !read_uint (key_file, origin, "server", "max_samples", 1, 100000000, &max_samples, error) ||
      !read_uint (key_file, origin, "server", "max_future_s", 0, 315360000, &max_future, error) ||
      !read_uint (key_file, origin, "history", "retention_days", 1, 1000000, &retention, error) ||
      !read_uint (key_file, origin, "history", "backlog_mb", 1, 65536, &backlog, error) ||
      !read_uint (key_file, origin, "audit", "retention_days", 0, 1000000, &audit_retention,
                  error) ||
      !read_bool (key_file, origin, "plugins", "formulas", &self->formulas, error) ||
      !read_bool (key_file, origin, "plugins", "alarms", &self->alarms, error) ||
      !read_bool (key_file, origin, "plugins", "templates", &self->templates, error) ||
      !read_bool (key_file, origin, "log", "verbose", &self->verbose, error))
    return FALSE;

  self->port = port;
  self->call_timeout_s = call_timeout;
  self->max_samples = max_samples;
  self->max_future_s = (guint) max_future;
  self->retention_days = retention;
  self->backlog_mb = backlog;
  self->audit_retention_days = audit_retention;

  if (!read_text (key_file, origin, "server", "bind", &bind, error))
    return FALSE;
  if (bind != NULL)
    {
      g_strstrip (bind);
      if (bind[0] == '\0')
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "%s: [server] bind must not be empty",
                       origin);
          return FALSE;
        }
      g_free (self->bind);
      self->bind = g_steal_pointer (&bind);
    }

  if (!read_path (key_file, origin, base_dir, "server", "db", &self->db, error) ||
      !read_path (key_file, origin, base_dir, "server", "history_db", &self->history_db, error) ||
      !read_path (key_file, origin, base_dir, "server", "audit_db", &self->audit_db, error) ||
      !read_path (key_file, origin, base_dir, "server", "user_db", &self->user_db, error) ||
      !read_path (key_file, origin, base_dir, "server", "token_file", &self->token_file, error) ||
      !read_path (key_file, origin, base_dir, "server", "tls_cert", &self->tls_cert, error) ||
      !read_path (key_file, origin, base_dir, "server", "tls_key", &self->tls_key, error))
    return FALSE;

  /* The history database (docs/historian-postgresql.md); the password never in this file
   * nor on the command line, only in password_file or libpq's PGPASSFILE. */
  {
    g_autofree char *backend = g_key_file_get_string (key_file, "history", "backend", NULL);
    g_autofree char *url = NULL;

    if (!read_text (key_file, origin, "history", "url", &url, error))
      return FALSE;
    if (backend != NULL)
      {
        g_strstrip (backend);
        if (!g_str_equal (backend, "sqlite") && !g_str_equal (backend, "postgresql"))
          {
            g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                         "%s: [history] backend must be sqlite or postgresql", origin);
            return FALSE;
          }
        g_free (self->history_backend);
        self->history_backend = g_steal_pointer (&backend);
      }
    if (url != NULL)
      {
        g_strstrip (url);
        g_free (self->history_url);
        self->history_url = url[0] != '\0' ? g_steal_pointer (&url) : NULL;
      }
    if (!read_path (key_file, origin, base_dir, "history", "password_file",
                    &self->history_password_file, error))
      return FALSE;
    if (g_str_equal (self->history_backend, "postgresql") && self->history_url == NULL)
      {
        g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                     "%s: [history] url is required with backend=postgresql", origin);
        return FALSE;
      }
  }

  return TRUE;
}

static gboolean
apply_command_line (DcSettings  *self,
                    GError     **error)
{
  DcSettingsReal *real = (DcSettingsReal *) self;

  if (real->cli_port != -1)
    {
      if (real->cli_port < 0 || real->cli_port > 65535)
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "--port must be an integer between 0 and 65535");
          return FALSE;
        }
      self->port = real->cli_port;
    }
  if (real->cli_call_timeout != -1)
    {
      if (real->cli_call_timeout < 1 || real->cli_call_timeout > 3600)
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "--call-timeout must be an integer between 1 and 3600");
          return FALSE;
        }
      self->call_timeout_s = real->cli_call_timeout;
    }
  if (real->cli_max_samples != -1)
    {
      if (real->cli_max_samples < 1 || real->cli_max_samples > 100000000)
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "--max-samples must be an integer between 1 and 100000000");
          return FALSE;
        }
      self->max_samples = real->cli_max_samples;
    }
  if (real->cli_bind != NULL)
    {
      if (real->cli_bind[0] == '\0')
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "--bind must not be empty");
          return FALSE;
        }
      g_free (self->bind);
      self->bind = g_strdup (real->cli_bind);
    }

#define APPLY_PATH(field, cli) \
  if ((cli) != NULL) \
    { \
      g_free (self->field); \
      self->field = (cli)[0] != '\0' ? g_strdup (cli) : NULL; \
    }
  APPLY_PATH (db, real->cli_db);
  APPLY_PATH (history_db, real->cli_history_db);
  APPLY_PATH (audit_db, real->cli_audit_db);
  APPLY_PATH (user_db, real->cli_user_db);
  APPLY_PATH (token_file, real->cli_token_file);
  APPLY_PATH (tls_cert, real->cli_tls_cert);
  APPLY_PATH (tls_key, real->cli_tls_key);
#undef APPLY_PATH

  if (real->cli_verbose)
    self->verbose = TRUE;

  return TRUE;
}

char *
dc_settings_get_user_config_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "datacoll", "datacoll.conf", NULL);
}

char *
dc_settings_get_default_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "datacoll", "datacoll.db", NULL);
}

gboolean
dc_settings_load (DcSettings  *self,
                  GError     **error)
{
  DcSettingsReal *real = (DcSettingsReal *) self;
  g_autofree char *path = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (real->cli_config != NULL)
    {
      path = g_strdup (real->cli_config);
    }
  else
    {
      g_autofree char *user_path = dc_settings_get_user_config_path ();

      if (g_file_test (user_path, G_FILE_TEST_EXISTS))
        path = g_steal_pointer (&user_path);
      else if (g_file_test (SYSTEM_CONFIG_PATH, G_FILE_TEST_EXISTS))
        path = g_strdup (SYSTEM_CONFIG_PATH);
    }

  if (path != NULL)
    {
      g_autoptr(GKeyFile) key_file = g_key_file_new ();
      g_autoptr(GError) local_error = NULL;

      if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &local_error))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "cannot read configuration file %s: %s", path, local_error->message);
          return FALSE;
        }
      if (!dc_settings_load_key_file (self, key_file, path, error))
        return FALSE;
      g_free (self->config_file);
      self->config_file = g_steal_pointer (&path);
    }

  if (!apply_command_line (self, error))
    return FALSE;

  if (self->db == NULL)
    self->db = dc_settings_get_default_db_path ();
  if (self->history_db == NULL)
    {
      self->history_db = dc_companion_path (self->db, "history");
    }
  if ((self->tls_cert == NULL) != (self->tls_key == NULL))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                           "[server] tls_cert and tls_key (--tls-cert, --tls-key) go together");
      return FALSE;
    }

  return TRUE;
}

gboolean
dc_settings_save (DcSettings  *self,
                  const char  *path,
                  GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_KEEP_COMMENTS, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

/* No path is written as an empty value, not by removing the key: in a file that has the key
 * twice, removing it would bring the older value back. */
#define SET_PATH(key, value) \
  g_key_file_set_string (key_file, "server", key, (value) != NULL ? (value) : "");

  g_key_file_set_uint64 (key_file, "server", "port", self->port);
  g_key_file_set_string (key_file, "server", "bind", self->bind);
  SET_PATH ("db", self->db);
  SET_PATH ("history_db", self->history_db);
  SET_PATH ("audit_db", self->audit_db);
  SET_PATH ("user_db", self->user_db);
  SET_PATH ("token_file", self->token_file);
  SET_PATH ("tls_cert", self->tls_cert);
  SET_PATH ("tls_key", self->tls_key);
  g_key_file_set_uint64 (key_file, "server", "call_timeout_s", self->call_timeout_s);
  g_key_file_set_int64 (key_file, "server", "max_samples", self->max_samples);
  g_key_file_set_uint64 (key_file, "server", "max_future_s", self->max_future_s);
  g_key_file_set_uint64 (key_file, "history", "retention_days", self->retention_days);
  g_key_file_set_uint64 (key_file, "history", "backlog_mb", self->backlog_mb);
  g_key_file_set_string (key_file, "history", "backend", self->history_backend);
  /* Empty for none, as SET_PATH. */
  g_key_file_set_string (key_file, "history", "url",
                         self->history_url != NULL ? self->history_url : "");
  g_key_file_set_string (key_file, "history", "password_file",
                         self->history_password_file != NULL ? self->history_password_file : "");
  g_key_file_set_uint64 (key_file, "audit", "retention_days", self->audit_retention_days);
  g_key_file_set_boolean (key_file, "plugins", "formulas", self->formulas);
  g_key_file_set_boolean (key_file, "plugins", "alarms", self->alarms);
  g_key_file_set_boolean (key_file, "plugins", "templates", self->templates);
  g_key_file_set_boolean (key_file, "log", "verbose", self->verbose);
#undef SET_PATH

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   "cannot create %s: %s", dir, g_strerror (errsv));
      return FALSE;
    }

  return g_key_file_save_to_file (key_file, path, error);
}
