/* test-l10n.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The workstation in Chinese: with LANGUAGE=zh_CN and the catalogue compiled from po/zh_CN.po,
 * the main window with the demo plant shows translated labels (asserted on the widget tree)
 * and is saved as screenshot-zh_CN.png in the build directory, to be looked at.
 */

#include "config.h"

#include <locale.h>
#include <math.h>

#include <glib/gi18n.h>

#include "dc-application.h"
#include "dc-plant-model.h"
#include "dc-point-row.h"
#include "dc-protocols.h"
#include "dc-trend-view.h"
#include "dc-window.h"
#include "dc-test-ui.h"

/* Labels that must show translated whatever else changes in the window. */
static const char *const window_labels[] = { "Points", "Trend", "good", "substituted" };

static gboolean
has_cjk (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x4e00 && c <= 0x9fff)
        return TRUE;
    }
  return FALSE;
}

static double
demo_value (const char *item)
{
  static const struct { const char *item; double value; } values[] = {
    { "f1_i", 152.3 }, { "f2_i", 98.7 }, { "f3_i", 131.0 }, { "f1_p", 2604.5 },
    { "f1_cb", 2 }, { "bus_u", 10.62 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    if (g_str_equal (item, values[i].item))
      return values[i].value;
  return 21.5;
}

/* Live values for the demo plant's points (two with quality flags), the busbar voltage selected
 * with an hour of trend in the detail pane. */
static void
show_substation (DcStore      *store,
                 DcPlantModel *plant,
                 DcWindow     *window)
{
  g_autoptr(GPtrArray) points = dc_store_list_points (store, NULL, NULL);
  g_autofree DcTrendBucket *buckets = g_new0 (DcTrendBucket, 240);
  DcTrendView *mini = dc_window_get_mini_trend (window);
  gint64 now = g_get_real_time ();
  gint64 bus_key = dc_store_get_point_key (store, "ca1", "bus_u");
  gint64 from, to;

  for (guint i = 0; i < points->len; i++)
    {
      JsonObject *p = g_ptr_array_index (points, i);
      const char *item = json_object_get_string_member (p, "item_id");
      gint64 key = dc_store_get_point_key (store, json_object_get_string_member (p, "term_id"),
                                           item);
      guint32 q = g_str_equal (item, "f3_i") ? DC_QUALITY_NOT_TOPICAL
                : g_str_equal (item, "f1_p") ? DC_QUALITY_SUBSTITUTED : 0;
      DcSample s = { key, now - (gint64) (i % 5) * 1400000, demo_value (item), q };

      dc_plant_model_push_samples (plant, &s, 1);
    }
  dc_plant_model_flush (plant);

  g_assert_cmpint (bus_key, >, 0);
  g_assert_true (dc_window_select (window, dc_plant_model_lookup_point (plant, bus_key)));
  dc_trend_view_get_range (mini, &from, &to);
  for (guint i = 0; i < 240; i++)
    {
      double v = 10.2 + 0.25 * sin (i / 25.0) + 0.08 * sin (i / 3.0);

      buckets[i].start = from + (gint64) i * 15 * G_USEC_PER_SEC;
      buckets[i].end = buckets[i].start + 15 * G_USEC_PER_SEC;
      buckets[i].min = v - 0.05;
      buckets[i].max = v + 0.05;
      buckets[i].avg = v;
      buckets[i].count = 15;
    }
  dc_trend_view_set_buckets (mini, bus_key, buckets, 240);
}

static void
collect_texts (GtkWidget *widget,
               GPtrArray *texts)
{
  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (texts, g_strdup (gtk_label_get_text (GTK_LABEL (widget))));
  else if (GTK_IS_INSCRIPTION (widget) && gtk_inscription_get_text (GTK_INSCRIPTION (widget)))
    g_ptr_array_add (texts, g_strdup (gtk_inscription_get_text (GTK_INSCRIPTION (widget))));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_texts (child, texts);
}

static gboolean
texts_contain (GPtrArray  *texts,
               const char *text)
{
  for (guint i = 0; i < texts->len; i++)
    if (g_strcmp0 (g_ptr_array_index (texts, i), text) == 0)
      return TRUE;
  return FALSE;
}

static void
test_window_zh_CN (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  DcStore *store;
  DcApplication *app;
  DcPlantModel *plant;
  GtkWidget *window;
  guint colours;

  /* The catalogue is loaded. */
  g_assert_cmpstr (_("translator-credits"), !=, "translator-credits");

  dir = g_dir_make_tmp ("dc-l10n-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "datacoll.db", NULL);
  store = dc_store_open (path, &error);
  g_assert_no_error (error);
  ui_create_demo_plant (store);

  app = dc_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  plant = g_object_ref (dc_application_get_plant (app));
  dc_plant_model_follow_store (plant, store);
  dc_application_set_rest_address (app, "127.0.0.1:8080");
  g_application_activate (G_APPLICATION (app));
  window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  ui_wait_for_frame (window);
  show_substation (store, plant, DC_WINDOW (window));
  ui_wait_for_frame (window);

  collect_texts (window, texts);
  for (guint i = 0; i < G_N_ELEMENTS (window_labels); i++)
    {
      const char *translated = _(window_labels[i]);

      g_test_message ("%s → %s", window_labels[i], translated);
      g_assert_cmpstr (translated, !=, window_labels[i]);
      g_assert_true (texts_contain (texts, translated));
    }

  /* No text on screen is an English string the catalogue translates (a label that bypasses
   * gettext), and most of the interface is Chinese. */
  {
    guint cjk = 0;

    for (guint i = 0; i < texts->len; i++)
      {
        const char *text = g_ptr_array_index (texts, i);

        if (text[0] != '\0' && !has_cjk (text) && g_strcmp0 (_(text), text) != 0)
          g_error ("“%s” is shown untranslated (catalogue: “%s”)", text, _(text));
        if (has_cjk (text))
          cjk++;
      }
    g_test_message ("%u of %u texts are Chinese", cjk, texts->len);
    g_assert_cmpuint (cjk, >=, 15);
  }

  colours = ui_render_png (window, "screenshot-zh_CN.png");
  g_test_message ("zh_CN main window: %u colours", colours);
  g_assert_cmpuint (colours, >, 50);

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  dc_plant_model_follow_store (plant, NULL);
  g_object_unref (plant);
  g_object_unref (app);
  g_assert_finalize_object (store);
}

int
main (int   argc,
      char *argv[])
{
  /* LANGUAGE is ignored in the C locale; C.UTF-8 exists everywhere. The subprocesses that
   * ui_test_add() starts inherit the environment and run this again. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  /* No D-Bus autolaunch under xvfb-run (seconds per case). */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, TEST_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  ui_test_add ("/dc/l10n/zh_CN/main-window", test_window_zh_CN);

  return g_test_run ();
}
