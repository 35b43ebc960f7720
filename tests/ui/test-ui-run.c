/* test-ui-run.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* DataColl run the README way, uninstalled (docs/ui.md "Running uninstalled"): started by
 * tests/ui/run-uninstalled in the environment build-aux/run gives it (build-aux/dev-env, no
 * DataColl schema, help or icon installed on the system), the workstation finds its compiled
 * schema through GSETTINGS_SCHEMA_DIR, Preferences' colour scheme and refresh rate change the
 * settings and apply, F1's help:datacoll resolves to a page of the help (and every page its
 * index links to), and the icon theme finds the application's icons. */

#define G_LOG_DOMAIN "test-ui-run"

#include "config.h"

#include <string.h>

#include "dc-preferences-window.h"
#include "dc-protocols.h"
#include "dc-ui.h"
#include "dc-test-ui.h"

#define APP_ID "io.github.datacoll.DataColl"

typedef struct
{
  DcPlantModel *plant;
  double        hz;
} RateWait;

static gboolean
rate_is (gpointer data)
{
  RateWait *w = data;

  return dc_plant_model_get_refresh_rate (w->plant) == w->hz;
}

/* The file yelp opens for help:datacoll: <data dir>/help/<language>/datacoll/index.page in
 * the first of the user's and the system's data directories that has one; NULL if none. */
static char *
resolve_help (void)
{
  const char * const *system = g_get_system_data_dirs ();
  const char * const *langs = g_get_language_names ();

  for (guint d = 0; d == 0 || system[d - 1] != NULL; d++)
    {
      const char *data = d == 0 ? g_get_user_data_dir () : system[d - 1];

      for (guint l = 0; langs[l] != NULL; l++)
        {
          g_autofree char *page = g_build_filename (data, "help", langs[l], "datacoll",
                                                    "index.page", NULL);

          if (g_file_test (page, G_FILE_TEST_IS_REGULAR))
            return g_steal_pointer (&page);
        }
    }
  return NULL;
}

static DcPreferencesWindow *
find_preferences (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (DC_IS_PREFERENCES_WINDOW (w))
        return DC_PREFERENCES_WINDOW (w);
    }
  return NULL;
}

static void
test_uninstalled (void)
{
  const char *schema_dir = g_getenv ("GSETTINGS_SCHEMA_DIR");
  g_autofree char *build_data = g_build_filename (TEST_BUILD_ROOT, "data", NULL);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *help = NULL;
  g_autofree char *index = NULL;
  g_autofree char *help_dir = NULL;
  g_autoptr(GRegex) xref = NULL;
  g_autoptr(GError) error = NULL;
  DcApplication *app;
  DcPreferencesWindow *prefs;
  GtkIconTheme *icons;
  GtkWidget *spin;
  RateWait rw;
  guint n_links = 0;

  /* build-aux/dev-env put the build's compiled schema first, and GLib's default schema
   * source finds DataColl's schema there (not through the fallback of a binary started by
   * hand). */
  g_assert_nonnull (schema_dir);
  g_test_message ("GSETTINGS_SCHEMA_DIR=%s XDG_DATA_DIRS=%s", schema_dir, g_getenv ("XDG_DATA_DIRS"));
  g_assert_true (g_str_has_prefix (schema_dir, build_data));
  schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (), APP_ID, TRUE);
  g_assert_nonnull (schema);
  settings = g_settings_new (APP_ID);

  app = dc_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  g_assert_nonnull (gtk_application_get_active_window (GTK_APPLICATION (app)));
  ui_wait_for_frame (GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app))));

  /* Preferences (Ctrl+,): live controls, and what they change is in the settings. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  prefs = find_preferences ();
  g_assert_nonnull (prefs);
  ui_wait_for_frame (GTK_WIDGET (prefs));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "settings.color-scheme", "s", "dark"));
  {
    g_autofree char *scheme = g_settings_get_string (settings, "color-scheme");

    g_assert_cmpstr (scheme, ==, "dark");
  }
  g_assert_cmpint (adw_style_manager_get_color_scheme (adw_style_manager_get_default ()), ==,
                   ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "settings.color-scheme", "s", "light"));
  g_assert_cmpint (adw_style_manager_get_color_scheme (adw_style_manager_get_default ()), ==,
                   ADW_COLOR_SCHEME_FORCE_LIGHT);

  spin = ui_find_type (GTK_WIDGET (prefs), GTK_TYPE_SPIN_BUTTON);
  g_assert_nonnull (spin);
  g_assert_true (gtk_widget_is_sensitive (spin));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 3);
  g_assert_cmpuint (g_settings_get_uint (settings, "refresh-rate-hz"), ==, 3);
  rw = (RateWait) { dc_application_get_plant (app), 3 };
  g_assert_true (ui_wait_until (rate_is, &rw, 2000));

  /* F1: help:datacoll is a Mallard page yelp finds, and every page a page links to is there. */
  help = dc_ui_help_uri ();
  g_assert_cmpstr (help, ==, "help:datacoll");
  index = resolve_help ();
  g_assert_nonnull (index);
  g_test_message ("help:datacoll is %s", index);
  {
    g_autofree char *text = NULL;
    g_autoptr(GDir) dir = NULL;
    const char *name;

    g_assert_true (g_file_get_contents (index, &text, NULL, &error));
    g_assert_no_error (error);
    g_assert_nonnull (strstr (text, "<page"));
    help_dir = g_path_get_dirname (index);
    dir = g_dir_open (help_dir, 0, &error);
    g_assert_no_error (error);
    xref = g_regex_new ("xref=\"([a-z0-9-]+)[\"#]", 0, 0, NULL);
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (help_dir, name, NULL);
        g_autofree char *page_text = NULL;
        g_autoptr(GMatchInfo) links = NULL;

        if (!g_str_has_suffix (name, ".page"))
          continue;
        g_assert_true (g_file_get_contents (path, &page_text, NULL, NULL));
        g_regex_match (xref, page_text, 0, &links);
        while (g_match_info_matches (links))
          {
            g_autofree char *id = g_match_info_fetch (links, 1);
            g_autofree char *target_name = g_strconcat (id, ".page", NULL);
            g_autofree char *target = g_build_filename (help_dir, target_name, NULL);

            if (!g_file_test (target, G_FILE_TEST_IS_REGULAR))
              g_error ("%s links to %s, which is not there (%s)", name, id, target);
            n_links++;
            g_match_info_next (links, NULL);
          }
      }
  }
  g_assert_cmpuint (n_links, >, 0);

  /* The application's icons, as the About window and the shell show them. */
  icons = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  g_assert_true (gtk_icon_theme_has_icon (icons, APP_ID));
  g_assert_true (gtk_icon_theme_has_icon (icons, APP_ID "-symbolic"));

  gtk_window_destroy (GTK_WINDOW (prefs));
  gtk_window_destroy (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_object_unref (app);
}

int
main (int    argc,
      char **argv)
{
  /* No session bus (GApplication would wait for its autolaunch) and no isolated directories:
   * the data directories are build-aux/dev-env's (tests/ui/run-uninstalled gives the user
   * directories a temporary home). */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  dc_protocols_register_all ();
  g_test_add_func ("/dc/ui/run/uninstalled", test_uninstalled);
  return g_test_run ();
}
