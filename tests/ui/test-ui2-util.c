/* test-ui2-util.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "test-ui-util.h"
#include "test-ui2-util.h"

#include "dc-iec104-driver.h"
#include "dc-modbus.h"

static gpointer
iec_thread_func (gpointer data)
{
  Ui2 *f = data;

  g_main_context_push_thread_default (f->iec_context);
  g_main_loop_run (f->iec_loop);
  g_main_context_pop_thread_default (f->iec_context);
  return NULL;
}

void
ui2_setup (Ui2                     *f,
           gboolean                 modbus,
           const DcIec104SimConfig *iec)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *hdb = NULL;

  memset (f, 0, sizeof *f);
  f->dir = g_dir_make_tmp ("dc-ui2-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (f->dir, "datacoll.db", NULL);
  hdb = g_build_filename (f->dir, "datacoll-history.db", NULL);

  dc_modbus_register_drivers ();
  dc_iec104_driver_register ();

  if (modbus)
    {
      DcModbusSimOptions options = { 0, 1, NULL, 0, 100, NULL, FALSE, NULL, 0 };

      f->modbus = dc_modbus_sim_start (&options, NULL, &error);
      g_assert_no_error (error);
      f->modbus_port = dc_modbus_sim_get_port (f->modbus, 0);
    }
  if (iec != NULL)
    {
      f->iec_context = g_main_context_new ();
      f->iec_loop = g_main_loop_new (f->iec_context, FALSE);
      f->iec = dc_iec104_sim_new (iec, f->iec_context, &error);
      g_assert_no_error (error);
      f->iec_port = dc_iec104_sim_get_port (f->iec);
      f->iec_thread = g_thread_new ("iec104-sim", iec_thread_func, f);
    }

  f->store = dc_store_open (db, &error);
  g_assert_no_error (error);
  f->history = dc_history_new (hdb, &error);
  g_assert_no_error (error);
  f->engine = dc_engine_new (f->store, f->history);
  dc_engine_start (f->engine);
}

void
ui2_add_modbus (Ui2        *f,
                const char *id)
{
  g_autofree char *json = NULL;

  json = g_strdup_printf ("{\"id\":\"%s\",\"name\":\"Pump PLC\",\"protocol\":\"modbus_tcp\","
                          "\"ip\":\"127.0.0.1\",\"port\":%u,\"poll_ms\":100,\"timeout_ms\":300}",
                          id, f->modbus_port);
  ui_create (f->store, DC_KIND_DEVICE, json);
}

void
ui2_add_iec104 (Ui2        *f,
                const char *id)
{
  g_autofree char *json = NULL;

  json = g_strdup_printf ("{\"id\":\"%s\",\"name\":\"Substation RTU\",\"protocol\":\"iec104\","
                          "\"ip\":\"127.0.0.1\",\"port\":%u}", id, f->iec_port);
  ui_create (f->store, DC_KIND_DEVICE, json);
}

void
ui2_open_window (Ui2 *f)
{
  DcPlantModel *plant;

  f->app = dc_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (f->app), NULL, NULL));
  plant = dc_application_get_plant (f->app);
  dc_plant_model_follow_store (plant, f->store);
  dc_plant_model_follow_engine (plant, f->engine);
  g_application_activate (G_APPLICATION (f->app));
  f->window = DC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_nonnull (f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 700);
  ui_wait_for_frame (GTK_WIDGET (f->window));
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
ui2_teardown (Ui2 *f)
{
  DcPlantModel *plant;

  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  if (f->app != NULL)
    {
      plant = dc_application_get_plant (f->app);
      dc_plant_model_follow_engine (plant, NULL);
      dc_plant_model_follow_store (plant, NULL);
      g_object_unref (f->app);
    }
  dc_engine_shutdown (f->engine);
  g_object_unref (f->engine);
  g_object_unref (f->history);
  g_object_unref (f->store);
  if (f->modbus != NULL)
    dc_modbus_sim_stop (f->modbus);
  if (f->iec != NULL)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_callback (source, quit_cb, f->iec_loop, NULL);
      g_source_attach (source, f->iec_context);
      g_source_unref (source);
      g_thread_join (f->iec_thread);
      dc_iec104_sim_free (f->iec);
      g_main_loop_unref (f->iec_loop);
      g_main_context_unref (f->iec_context);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_free (f->dir);
}

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
ui2_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       data)
{
  *(gboolean *) data = TRUE;
}

guint
ui2_render_png (GtkWidget  *widget,
                const char *name)
{
  guint colours = 0;

  /* A render right after a change can catch the widget between layout and paint (blank):
   * wait for the next painted frame and retry a few times. */
  for (guint attempt = 0; attempt < 20 && colours <= 16; attempt++)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
      gboolean painted = FALSE;
      gulong id = 0;
      gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;

      if (clock != NULL)
        id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
      gtk_widget_queue_draw (widget);
      while (!painted && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE);
      if (id != 0)
        g_signal_handler_disconnect (clock, id);
      colours = ui_render_png (widget, name);
    }
  return colours;
}
