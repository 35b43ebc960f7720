/* dc-sparkplug-settings.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-sparkplug"

#include "config.h"

#include "dc-sparkplug-settings.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dc-error.h"

#define GROUP "sparkplug"

typedef struct
{
  DcSparkplugSettings pub;

  /* The command line; FALSE / NULL / -1 = not given. */
  gboolean cli_enabled;
  char    *cli_host;
  int      cli_port;
  char    *cli_group_id;
  char    *cli_edge_node_id;
} DcSparkplugSettingsReal;

static const char * const known_keys[] = {
  "enabled", "host", "port", "group_id", "edge_node_id", "client_id", "keepalive_s",
  "username", "password_file", "tls_ca", "primary_host_id", "queue_mb",
};

DcSparkplugSettings *
dc_sparkplug_settings_new (void)
{
  DcSparkplugSettingsReal *real = g_new0 (DcSparkplugSettingsReal, 1);
  DcSparkplugSettings *self = &real->pub;

  self->enabled = FALSE;
  self->host = g_strdup ("127.0.0.1");
  self->port = 1883;
  self->group_id = g_strdup ("DataColl");
  self->edge_node_id = g_strdup ("datacoll");
  self->keepalive_s = 30;
  self->queue_mb = 1024;
  real->cli_port = -1;

  return self;
}

void
dc_sparkplug_settings_free (DcSparkplugSettings *self)
{
  DcSparkplugSettingsReal *real = (DcSparkplugSettingsReal *) self;

  if (self == NULL)
    return;

  g_free (self->host);
  g_free (self->group_id);
  g_free (self->edge_node_id);
  g_free (self->client_id);
  g_free (self->username);
  g_free (self->password_file);
  g_free (self->tls_ca);
  g_free (self->primary_host_id);
  g_free (self->queue_path);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (real->cli_host);
  g_free (real->cli_group_id);
  g_free (real->cli_edge_node_id);
  g_free (real);
}

GOptionGroup *
dc_sparkplug_settings_get_option_group (DcSparkplugSettings *self)
{
  DcSparkplugSettingsReal *real = (DcSparkplugSettingsReal *) self;
  GOptionGroup *group;
  const GOptionEntry entries[] = {
    { "sparkplug", 0, 0, G_OPTION_ARG_NONE, &real->cli_enabled,
      N_("Publish to an MQTT broker as a Sparkplug B edge node"), NULL },
    { "sparkplug-host", 0, 0, G_OPTION_ARG_STRING, &real->cli_host,
      N_("The MQTT broker's host (127.0.0.1)"), N_("HOST") },
    { "sparkplug-port", 0, 0, G_OPTION_ARG_INT, &real->cli_port,
      N_("The MQTT broker's port (1883)"), N_("PORT") },
    { "sparkplug-group", 0, 0, G_OPTION_ARG_STRING, &real->cli_group_id,
      N_("The Sparkplug group id (DataColl)"), N_("ID") },
    { "sparkplug-node", 0, 0, G_OPTION_ARG_STRING, &real->cli_edge_node_id,
      N_("The Sparkplug edge node id (datacoll)"), N_("ID") },
    { NULL }
  };

  g_return_val_if_fail (self != NULL, NULL);

  group = g_option_group_new ("sparkplug", _("MQTT Sparkplug B edge node:"),
                              _("Show the Sparkplug B options"), NULL, NULL);
  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);

  return group;
}

gboolean
dc_sparkplug_id_is_valid (const char *id)
{
  return id != NULL && *id != '\0' && g_utf8_validate (id, -1, NULL) &&
         strpbrk (id, "/+#") == NULL;
}

static void
replace_str (char       **out,
             const char  *value)
{
  g_free (*out);
  *out = g_strdup (value);
}

static gboolean
check_id (const char  *origin,
          const char  *key,
          const char  *value,
          GError     **error)
{
  if (dc_sparkplug_id_is_valid (value))
    return TRUE;
  g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
               "%s: [sparkplug] %s must be a non-empty text without '/', '+' or '#'",
               origin, key);
  return FALSE;
}

static gboolean
read_uint (GKeyFile    *key_file,
           const char  *origin,
           const char  *key,
           guint64      min,
           guint64      max,
           guint       *out,
           GError     **error)
{
  g_autofree char *value = g_key_file_get_value (key_file, GROUP, key, NULL);
  guint64 number;

  if (value == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (g_strstrip (value), 10, min, max, &number, NULL))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "%s: [sparkplug] %s must be an integer between %" G_GUINT64_FORMAT
                   " and %" G_GUINT64_FORMAT, origin, key, min, max);
      return FALSE;
    }
  *out = (guint) number;
  return TRUE;
}

static void
read_string (GKeyFile    *key_file,
             const char  *key,
             char       **out)
{
  g_autofree char *value = g_key_file_get_string (key_file, GROUP, key, NULL);

  if (value != NULL)
    {
      replace_str (out, g_strstrip (value));
    }
}

static void
clear_if_empty (char **value)
{
  if (*value != NULL && **value == '\0')
    g_clear_pointer (value, g_free);
}

/* A relative path in the file is relative to the file's folder. */
static void
make_relative_to (const char  *origin,
                  char       **path)
{
  g_autofree char *dir = NULL;
  char *joined;

  if (*path == NULL || g_path_is_absolute (*path) || g_strcmp0 (origin, "settings") == 0)
    return;
  dir = g_path_get_dirname (origin);
  joined = g_build_filename (dir, *path, NULL);
  g_free (*path);
  *path = joined;
}

gboolean
dc_sparkplug_settings_load_key_file (DcSparkplugSettings  *self,
                                     GKeyFile             *key_file,
                                     const char           *origin,
                                     GError              **error)
{
  g_auto(GStrv) keys = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key_file != NULL, FALSE);

  if (origin == NULL)
    origin = "settings";
  if (!g_key_file_has_group (key_file, GROUP))
    return TRUE;

  keys = g_key_file_get_keys (key_file, GROUP, NULL, NULL);
  for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
    if (!g_strv_contains ((const char * const *) known_keys, keys[k]))
      g_message ("%s: unknown setting [sparkplug] %s ignored", origin, keys[k]);

  if (g_key_file_has_key (key_file, GROUP, "enabled", NULL))
    {
      g_autoptr(GError) local_error = NULL;
      gboolean enabled = g_key_file_get_boolean (key_file, GROUP, "enabled", &local_error);

      if (local_error != NULL)
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "%s: [sparkplug] enabled must be true or false", origin);
          return FALSE;
        }
      self->enabled = enabled;
    }
  read_string (key_file, "host", &self->host);
  read_string (key_file, "group_id", &self->group_id);
  read_string (key_file, "edge_node_id", &self->edge_node_id);
  read_string (key_file, "client_id", &self->client_id);
  read_string (key_file, "username", &self->username);
  read_string (key_file, "password_file", &self->password_file);
  read_string (key_file, "tls_ca", &self->tls_ca);
  read_string (key_file, "primary_host_id", &self->primary_host_id);
  /* Empty = none (as the example file shows the defaults). */
  clear_if_empty (&self->username);
  clear_if_empty (&self->password_file);
  clear_if_empty (&self->tls_ca);
  clear_if_empty (&self->primary_host_id);
  make_relative_to (origin, &self->password_file);
  make_relative_to (origin, &self->tls_ca);
  if (!read_uint (key_file, origin, "port", 1, 65535, &self->port, error) ||
      !read_uint (key_file, origin, "keepalive_s", 5, 65535, &self->keepalive_s, error) ||
      !read_uint (key_file, origin, "queue_mb", 1, 1024 * 1024, &self->queue_mb, error))
    return FALSE;
  if (self->primary_host_id != NULL &&
      !check_id (origin, "primary_host_id", self->primary_host_id, error))
    return FALSE;
  if (*self->host == '\0')
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "%s: [sparkplug] host must not be empty",
                   origin);
      return FALSE;
    }

  return check_id (origin, "group_id", self->group_id, error) &&
         check_id (origin, "edge_node_id", self->edge_node_id, error);
}

gboolean
dc_sparkplug_settings_load (DcSparkplugSettings  *self,
                            const char           *config_file,
                            GError              **error)
{
  DcSparkplugSettingsReal *real = (DcSparkplugSettingsReal *) self;

  g_return_val_if_fail (self != NULL, FALSE);

  if (config_file != NULL)
    {
      g_autoptr(GKeyFile) key_file = g_key_file_new ();
      g_autoptr(GError) local_error = NULL;

      /* The server settings already read (and refused) a broken file; a missing one is
       * theirs to report too. */
      if (g_key_file_load_from_file (key_file, config_file, G_KEY_FILE_NONE, &local_error) &&
          !dc_sparkplug_settings_load_key_file (self, key_file, config_file, error))
        return FALSE;
    }

  if (real->cli_enabled)
    self->enabled = TRUE;
  if (real->cli_host != NULL)
    replace_str (&self->host, real->cli_host);
  if (real->cli_group_id != NULL)
    replace_str (&self->group_id, real->cli_group_id);
  if (real->cli_edge_node_id != NULL)
    replace_str (&self->edge_node_id, real->cli_edge_node_id);
  if (real->cli_port >= 0)
    {
      if (real->cli_port < 1 || real->cli_port > 65535)
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "--sparkplug-port must be an integer between 1 and 65535");
          return FALSE;
        }
      self->port = (guint) real->cli_port;
    }

  if (!check_id ("command line", "group_id", self->group_id, error) ||
      !check_id ("command line", "edge_node_id", self->edge_node_id, error))
    return FALSE;

  if (self->tls_ca != NULL && !g_file_test (self->tls_ca, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "[sparkplug] tls_ca: %s is not a readable file", self->tls_ca);
      return FALSE;
    }

  /* The password: the file's first line (it stays out of the settings file and of ps). */
  if (self->password_file != NULL)
    {
      g_autofree char *contents = NULL;
      g_autoptr(GError) local_error = NULL;
      char *newline;

      if (!g_file_get_contents (self->password_file, &contents, NULL, &local_error))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "[sparkplug] password_file: %s", local_error->message);
          return FALSE;
        }
      newline = strpbrk (contents, "\r\n");
      if (newline != NULL)
        *newline = '\0';
      g_free (self->password);
      self->password = g_steal_pointer (&contents);
      if (self->username == NULL)
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "[sparkplug] password_file needs a username");
          return FALSE;
        }
    }

  return TRUE;
}
