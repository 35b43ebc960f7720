/* alarms-fixture.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "alarms-fixture.h"
#include "dc-test-ui.h"
#include "dc-test-store.h"

Fx *
fx_new (void)
{
  Fx *fx = g_new0 (Fx, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *hdb = NULL;
  g_autofree char *journal = NULL;
  DcPlantModel *plant;

  fx->dir = g_dir_make_tmp ("dc-ui-alarms-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (fx->dir, "datacoll.db", NULL);
  hdb = g_build_filename (fx->dir, "datacoll-history.db", NULL);
  fx->store = dc_store_open (db, &error);
  g_assert_no_error (error);
  dc_test_store_attach_audit (fx->store);
  g_assert_no_error (error);

  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\":\"temp\",\"name\":\"Transformer temperature\","
                        "\"unit\":\"°C\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\":\"level\",\"name\":\"Tank level\",\"unit\":\"%\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\":\"cb\",\"name\":\"Feeder 1 breaker\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\":\"amb\",\"name\":\"Ambient temperature\","
                        "\"unit\":\"°C\"}");
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\":\"plant\",\"name\":\"Virtual plant\","
                        "\"protocol\":\"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\":\"t\",\"name\":\"Operator\","
                        "\"device_id\":\"plant\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"temp\",\"up_limit\":90,"
                        "\"alarm_deadband\":2,\"alarm_priority\":\"high\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"level\","
                        "\"down_limit\":10}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"cb\",\"alarm_on\":2,"
                        "\"alarm_priority\":\"critical\",\"states\":{\"1\":\"open\",\"2\":\"closed\"}}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"amb\",\"up_limit\":35,"
                        "\"alarm_priority\":\"low\"}");

  fx->history = dc_history_new (hdb, &error);
  g_assert_no_error (error);
  fx->engine = dc_engine_new (fx->store, fx->history);
  journal = dc_alarm_path_for_config (db);
  fx->alarm = dc_alarm_new_for_engine (fx->engine, journal, &error);
  g_assert_no_error (error);
  dc_alarm_start (fx->alarm);
  dc_engine_start (fx->engine);

  fx->app = dc_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (fx->app), NULL, &error));
  g_assert_no_error (error);
  plant = dc_application_get_plant (fx->app);
  dc_plant_model_follow_store (plant, fx->store);
  dc_plant_model_follow_engine (plant, fx->engine);
  dc_application_set_alarm (fx->app, fx->alarm);
  g_application_activate (G_APPLICATION (fx->app));
  fx->window = DC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (fx->app)));
  g_assert_nonnull (fx->window);
  gtk_window_set_default_size (GTK_WINDOW (fx->window), 1200, 760);
  dc_window_set_view (fx->window, "alarms");
  fx->page = dc_window_get_alarms_page (fx->window);
  g_assert_true (dc_alarms_page_get_alarm (fx->page) == fx->alarm);
  ui_wait_for_frame (GTK_WIDGET (fx->window));

  return fx;
}

void
fx_free (Fx *fx)
{
  DcPlantModel *plant = dc_application_get_plant (fx->app);

  gtk_window_destroy (GTK_WINDOW (fx->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  dc_plant_model_follow_engine (plant, NULL);
  dc_plant_model_follow_store (plant, NULL);
  dc_application_set_alarm (fx->app, NULL);
  g_clear_object (&fx->app);
  g_assert_finalize_object (fx->alarm);
  dc_engine_shutdown (fx->engine);
  g_clear_object (&fx->engine);
  g_clear_object (&fx->history);
  g_clear_object (&fx->store);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  dc_test_remove_dir (fx->dir);
  g_free (fx->dir);
  g_free (fx);
}

gint64
key_of (Fx         *fx,
        const char *item_id)
{
  gint64 key = dc_store_get_point_key (fx->store, "t", item_id);

  g_assert_cmpint (key, >, 0);
  return key;
}

/* A value written to the virtual device, as the REST API's device_ctrl does. */
void
push (Fx         *fx,
      const char *item_id,
      double      value)
{
  DcSample s = { key_of (fx, item_id), g_get_real_time (), value, 0 };

  dc_engine_ingest (fx->engine, &s, 1, DC_INGEST_API);
}

const char *
row_title (Fx     *fx,
           gint64  id)
{
  GtkWidget *row = dc_alarms_page_get_row (fx->page, id);

  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

const char *
row_subtitle (Fx     *fx,
              gint64  id)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (dc_alarms_page_get_row (fx->page, id)));
}

DcPointRow *
point_row (Fx         *fx,
           const char *item_id)
{
  return dc_plant_model_lookup_point_id (dc_application_get_plant (fx->app), "t", item_id);
}

DcDeviceNode *
plant_node (Fx *fx)
{
  return dc_plant_model_lookup_device (dc_application_get_plant (fx->app), "plant");
}

gboolean
row_shown (gpointer data)
{
  RowWait *rw = data;

  rw->id = dc_alarm_find (rw->fx->alarm, key_of (rw->fx, rw->item_id), rw->condition);
  return rw->id > 0 && dc_alarms_page_get_row (rw->fx->page, rw->id) != NULL;
}

gboolean
dialog_open (gpointer data)
{
  AdwMessageDialog **out = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        {
          *out = ADW_MESSAGE_DIALOG (w);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
state_is (gpointer data)
{
  StateWait *sw = data;

  return dc_alarm_get_state (sw->fx->alarm, sw->id) == sw->state;
}

gboolean
page_unacked_is (gpointer data)
{
  gpointer *args = data;

  return dc_alarms_page_get_n_unacknowledged (args[0]) == GPOINTER_TO_UINT (args[1]);
}
