/* dc-ui.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-ui"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "dc-ui.h"
#include "dc-ui-resources.h"

void
dc_ui_ensure_resources (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      GResource *resource = dc_ui_get_resource ();
      g_autoptr(GBytes) probe = NULL;

      /* With constructors the resource is registered when linked; register it otherwise. */
      probe = g_resources_lookup_data ("/io/github/datacoll/DataColl/style.css",
                                       G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      if (probe == NULL)
        g_resources_register (resource);
      g_once_init_leave (&done, 1);
    }
}

/* The build tree of an uninstalled binary: <build>/src/datacoll, or a test two levels down;
 * a build root has meson-private/ and the compiled schema in data/. */
static GSettingsSchema *
lookup_uninstalled (const char *exe)
{
  g_autofree char *self_exe = NULL;
  g_autofree char *dir = NULL;

  if (exe == NULL)
    exe = self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe == NULL)
    return NULL;
  dir = g_path_get_dirname (exe);
  for (guint up = 0; up < 3; up++)
    {
      g_autofree char *parent = g_path_get_dirname (dir);
      g_autofree char *meson = g_build_filename (parent, "meson-private", NULL);
      g_autofree char *data = g_build_filename (parent, "data", NULL);
      g_autofree char *compiled = g_build_filename (data, "gschemas.compiled", NULL);

      if (g_file_test (meson, G_FILE_TEST_IS_DIR) &&
          g_file_test (compiled, G_FILE_TEST_IS_REGULAR))
        {
          g_autoptr(GSettingsSchemaSource) source =
            g_settings_schema_source_new_from_directory (data,
                                                         g_settings_schema_source_get_default (),
                                                         FALSE, NULL);

          return source != NULL ? g_settings_schema_source_lookup (source, APP_ID, FALSE) : NULL;
        }
      g_free (dir);
      dir = g_steal_pointer (&parent);
    }
  return NULL;
}

GSettings *
dc_ui_settings_new (const char *exe)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    schema = lookup_uninstalled (exe);
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

char *
dc_ui_help_uri (void)
{
  const char * const *langs = g_get_language_names ();
  const char * const *system = g_get_system_data_dirs ();

  for (guint d = 0; d == 0 || system[d - 1] != NULL; d++)
    {
      const char *data = d == 0 ? g_get_user_data_dir () : system[d - 1];

      for (guint l = 0; langs[l] != NULL; l++)
        {
          g_autofree char *page = g_build_filename (data, "help", langs[l], "datacoll",
                                                    "index.page", NULL);

          if (g_file_test (page, G_FILE_TEST_IS_REGULAR))
            return g_strdup ("help:datacoll");
        }
    }
  return NULL;
}
