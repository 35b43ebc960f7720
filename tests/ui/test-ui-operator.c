/* test-ui-operator.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * What an operator reads (issue 18): numbers without float noise and with a point's decimals
 * (table, detail, editor), states in words (the point's `states`, else the IEC 104 defaults),
 * and the desktop preferences of an uninstalled build (the compiled schema of the build tree).
 */

#include "config.h"

#include "dc-edit-dialog.h"
#include "dc-point-table.h"
#include "dc-preferences-window.h"
#include "dc-protocols.h"
#include "dc-ui.h"
#include "dc-test-ui.h"

typedef struct
{
  UiPlant    *f;
  const char *text;
} TableWait;

static gboolean
table_shows (gpointer data)
{
  TableWait *w = data;

  return ui_find_inscription (GTK_WIDGET (dc_window_get_point_table (w->f->window)),
                              w->text) != NULL;
}

/* The cell shows @text whole: not cut by its column. */
static void
assert_table_shows (UiPlant    *f,
                    const char *text)
{
  TableWait w = { f, text };
  GtkWidget *cell;
  g_autoptr(PangoLayout) layout = NULL;
  int width;

  if (!ui_wait_until (table_shows, &w, 5000))
    g_error ("the point table does not show \"%s\"", text);
  ui_wait_for_frame (GTK_WIDGET (f->window));
  cell = ui_find_inscription (GTK_WIDGET (dc_window_get_point_table (f->window)), text);
  layout = gtk_widget_create_pango_layout (cell, text);
  pango_layout_get_pixel_size (layout, &width, NULL);
  if (gtk_widget_get_width (cell) < width)
    g_error ("\"%s\" is cut: %d px of text in a %d px cell", text, width, gtk_widget_get_width (cell));
}

static DcPointRow *
row_of (UiPlant    *f,
        const char *term_id,
        const char *item_id)
{
  DcPointRow *row = dc_plant_model_lookup_point_id (dc_window_get_plant (f->window), term_id, item_id);

  g_assert_nonnull (row);
  return row;
}

/* Puts @value on the point as the engine's listener would, and applies it now. */
static void
show_value (UiPlant    *f,
            const char *term_id,
            const char *item_id,
            double      value)
{
  DcPlantModel *plant = dc_window_get_plant (f->window);
  DcSample s = { dc_point_row_get_key (row_of (f, term_id, item_id)), g_get_real_time (), value, 0 };

  dc_plant_model_push_samples (plant, &s, 1);
  dc_plant_model_flush (plant);
}

static DcEditDialog *
edit_point (UiPlant    *f,
            const char *term_id,
            const char *item_id)
{
  DcEditDialog *dialog;

  g_assert_true (dc_window_select (f->window, row_of (f, term_id, item_id)));
  dc_window_set_view (f->window, "points");
  dialog = DC_EDIT_DIALOG (ui_activate_for_dialog (GTK_WINDOW (f->window), "win.edit",
                                                   DC_TYPE_EDIT_DIALOG));
  g_assert_true (DC_IS_EDIT_DIALOG (dialog));
  ui_wait_for_frame (GTK_WIDGET (dialog));
  return dialog;
}

static void
setup_virtual (UiPlant *f)
{
  ui_plant_setup (f, FALSE, NULL);
  dc_test_store_create (f->store, DC_KIND_DEVICE, "{\"id\":\"plant\",\"name\":\"Virtual plant\","
                        "\"protocol\":\"virtual\"}");
  dc_test_store_create (f->store, DC_KIND_TERM, "{\"id\":\"t\",\"device_id\":\"plant\"}");
}

/* Numbers: shortest text without float noise, a point's decimals, the same in the editor. */
static void
test_numbers (void)
{
  DcEditDialog *dialog;
  UiPlant f;

  setup_virtual (&f);
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"u\",\"name\":\"Busbar voltage\",\"unit\":\"kV\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"i\",\"name\":\"Feeder current\",\"unit\":\"A\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"hz\",\"name\":\"Frequency\",\"unit\":\"Hz\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"e\",\"name\":\"Energy\",\"unit\":\"kWh\"}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"u\",\"decimals\":2}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"i\",\"coefficient\":0.1,"
                        "\"up_limit\":95.5}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"hz\"}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"e\"}");
  ui_plant_open_window (&f);
  dc_window_select (f.window, dc_plant_model_lookup_device (dc_window_get_plant (f.window), "plant"));

  show_value (&f, "t", "u", 10.2);
  show_value (&f, "t", "i", 628 * 0.1);           /* 62.800000000000004 */
  show_value (&f, "t", "hz", (double) 49.98f);    /* a 32-bit float register */
  show_value (&f, "t", "e", 1234567.125);         /* more than six digits */
  assert_table_shows (&f, "10.20 kV");
  assert_table_shows (&f, "62.8 A");
  assert_table_shows (&f, "49.98 Hz");
  assert_table_shows (&f, "1234567.125 kWh");

  /* The detail pane: value, scaling and limits. */
  g_assert_true (dc_window_select (f.window, row_of (&f, "t", "i")));
  g_assert_cmpstr (dc_window_get_detail_value (f.window), ==, "62.8 A");

  /* The editor shows what was typed, not 0.10000000000000001. */
  dialog = edit_point (&f, "t", "i");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "coefficient"), ==, "0.1");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "up_limit"), ==, "95.5");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Decimals through the editor and the model's validation. */
  dialog = edit_point (&f, "t", "hz");
  g_assert_true (dc_edit_dialog_set_field (dialog, "decimals", "16"));
  g_assert_false (dc_edit_dialog_save (dialog));
  g_test_message ("decimals 16: %s", dc_edit_dialog_get_field_error (dialog, "decimals"));
  g_assert_cmpstr (dc_edit_dialog_get_field_error (dialog, "decimals"), ==,
                   "field decimals must be an integer between 0 and 15");
  g_assert_true (dc_edit_dialog_set_field (dialog, "decimals", "1"));
  g_assert_true (dc_edit_dialog_save (dialog));
  assert_table_shows (&f, "50.0 Hz");
  {
    g_autoptr(JsonObject) point = dc_store_get_point (f.store, "t", "hz", NULL);

    g_assert_cmpint (json_object_get_int_member (point, "decimals"), ==, 1);
  }

  ui_wait_for_frame (GTK_WIDGET (f.window));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (f.window), "screenshot-numbers.png"), >, 16);
  ui_plant_teardown (&f);
}

/* States: a point's texts, the IEC 104 defaults, a state nobody named as its number. */
static void
test_states (void)
{
  g_autoptr(JsonObject) bad = NULL;
  g_autoptr(GError) error = NULL;
  UiPlant f;

  setup_virtual (&f);
  /* Not connected (disabled): the values come from the test. */
  dc_test_store_create (f.store, DC_KIND_DEVICE, "{\"id\":\"rtu\",\"name\":\"Substation RTU\","
                        "\"protocol\":\"iec104\",\"ip\":\"127.0.0.1\",\"enabled\":false}");
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"ca1\",\"device_id\":\"rtu\",\"address\":1}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"cb\",\"name\":\"Feeder 1 breaker\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"ds\",\"name\":\"Disconnector\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"prot\",\"name\":\"Protection trip\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"mode\",\"name\":\"Pump mode\"}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"cb\",\"protocol_code\":1001,"
                        "\"code_type\":31,\"states\":{\"1\":\"open\",\"2\":\"closed\"}}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"ds\",\"protocol_code\":1002,"
                        "\"code_type\":31}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"prot\",\"protocol_code\":1003,"
                        "\"code_type\":30}");
  /* An analog (virtual) point with texts: a mode selector. */
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"mode\","
                        "\"states\":{\"0\":\"stopped\",\"1\":\"manual\",\"2\":\"automatic\"}}");

  /* The model checks the texts (docs/model.md). */
  bad = dc_test_json_object ("{\"term_id\":\"t\",\"item_id\":\"cb\",\"states\":{\"on\":\"closed\"}}");
  g_assert_false (dc_store_create (f.store, DC_KIND_POINT, bad, &error));
  g_assert_cmpstr (error->message, ==,
                   "field states must be an object of state values to texts, like {\"1\": \"open\"}");

  ui_plant_open_window (&f);
  dc_window_select (f.window, dc_plant_model_lookup_device (dc_window_get_plant (f.window), "rtu"));

  show_value (&f, "ca1", "cb", 2);
  show_value (&f, "ca1", "ds", 1);
  show_value (&f, "ca1", "prot", 1);
  assert_table_shows (&f, "closed");
  assert_table_shows (&f, "off");
  assert_table_shows (&f, "on");
  show_value (&f, "ca1", "cb", 1);
  show_value (&f, "ca1", "ds", 3);
  assert_table_shows (&f, "open");
  assert_table_shows (&f, "indeterminate");
  /* The point's texts do not name 0: the default of a double point. */
  show_value (&f, "ca1", "cb", 0);
  assert_table_shows (&f, "intermediate");
  ui_wait_for_frame (GTK_WIDGET (f.window));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (f.window), "screenshot-states.png"), >, 16);

  dc_window_select (f.window, dc_plant_model_lookup_device (dc_window_get_plant (f.window), "plant"));
  show_value (&f, "t", "mode", 2);
  assert_table_shows (&f, "automatic");
  show_value (&f, "t", "mode", 7);
  assert_table_shows (&f, "7");

  ui_plant_teardown (&f);
}

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

/* Run with GSETTINGS_SCHEMA_DIR pointing nowhere (tests/ui/meson.build), as a binary of the
 * build tree started by hand: the compiled schema of the build is found, Preferences work. */
static void
test_uninstalled (void)
{
  const char *exe = g_getenv ("DATACOLL");   /* <build>/src/datacoll, tests/meson.build */
  g_autoptr(GSettings) settings = NULL;
  GListModel *toplevels;
  DcPreferencesWindow *prefs = NULL;
  GtkWidget *spin;
  RateWait rw;
  UiPlant f;

  g_assert_nonnull (exe);
  g_assert_null (dc_ui_settings_new ("/nonexistent/bin/datacoll"));
  settings = dc_ui_settings_new (exe);
  g_assert_nonnull (settings);

  setup_virtual (&f);
  ui_plant_open_window (&f);
  g_action_group_activate_action (G_ACTION_GROUP (f.app), "preferences", NULL);
  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; prefs == NULL && i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (DC_IS_PREFERENCES_WINDOW (w))
        prefs = DC_PREFERENCES_WINDOW (w);
    }
  g_assert_nonnull (prefs);
  ui_wait_for_frame (GTK_WIDGET (prefs));

  /* The refresh rate is live (not greyed out) and reaches the plant model. */
  spin = ui_find_type (GTK_WIDGET (prefs), GTK_TYPE_SPIN_BUTTON);
  g_assert_nonnull (spin);
  g_assert_true (gtk_widget_is_sensitive (spin));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 2);
  rw = (RateWait) { dc_window_get_plant (f.window), 2 };
  g_assert_true (ui_wait_until (rate_is, &rw, 2000));

  /* The colour scheme choice applies. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "settings.color-scheme", "s", "dark"));
  g_assert_cmpint (adw_style_manager_get_color_scheme (adw_style_manager_get_default ()), ==,
                   ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "settings.color-scheme", "s", "default"));

  /* The help is not installed here: F1 says so in the window instead of yelp's "Document Not
   * Found" (build-aux/dev-env makes help:datacoll findable for build-aux/run). */
  g_assert_null (dc_ui_help_uri ());
  g_action_group_activate_action (G_ACTION_GROUP (f.app), "help", NULL);

  gtk_window_destroy (GTK_WINDOW (prefs));
  ui_plant_teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  ui_test_add ("/dc/ui/operator/numbers", test_numbers);
  ui_test_add ("/dc/ui/operator/states", test_states);
  ui_test_add ("/dc/ui/operator/uninstalled", test_uninstalled);

  return g_test_run ();
}
