/* dc-test-ui.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-test-ui"

#include "config.h"

#include "dc-test-ui.h"
#include "dc-test-store.h"
#include "dc-test-wait.h"

#include "dc-iec104-driver.h"
#include "dc-modbus.h"
#include "dc-protocols.h"

void
ui_test_init (int    *argc,
              char ***argv)
{
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();
}

GtkWidget *
ui_find_type (GtkWidget *widget,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = ui_find_type (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
ui_find_inscription (GtkWidget  *widget,
                     const char *text)
{
  if (GTK_IS_INSCRIPTION (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = ui_find_inscription (c, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
subprocess_cb (gconstpointer data)
{
  GTestFunc func = (GTestFunc) data;

  if (g_test_subprocess ())
    {
      static const char *mime_dirs[] = { "/usr/share/mime", NULL };

      /* G_TEST_OPTION_ISOLATE_DIRS hides the system data dirs. The MIME database (gdk-pixbuf
       * needs it to recognise SVG icons) and the icon themes are read-only system data: point
       * GIO and the icon theme at them. Never link system dirs into the isolated dirs: GLib
       * deletes those recursively after the test. */
      g_content_type_set_mime_dirs (mime_dirs);
      gtk_init ();
      adw_init ();
      gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                      "/usr/share/icons");
      /* Screenshots show end states, not transitions. */
      g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
      func ();
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDOUT |
                                                      G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

void
ui_test_add (const char *path,
             GTestFunc   func)
{
  g_test_add_data_func (path, (gconstpointer) func, subprocess_cb);
}

gboolean
ui_wait_until (gboolean (*cond) (gpointer),
               gpointer   data,
               guint      timeout_ms)
{
  return dc_test_wait_for (NULL, cond, data, timeout_ms / 1000.0);
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
mapped (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

void
ui_wait_for_frame (GtkWidget *widget)
{
  gboolean painted = FALSE;
  GdkFrameClock *clock;
  gulong id;

  g_assert_true (ui_wait_until (mapped, widget, 10000));
  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  g_assert_true (ui_wait_until (dc_test_flag_is_set, &painted, 10000));
  g_signal_handler_disconnect (clock, id);
}

guint
ui_render_png (GtkWidget  *widget,
               const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);
  g_autofree char *path = NULL;
  g_autofree guchar *pixels = NULL;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gsize stride;

  /* A widget that changed since its last frame snapshots as nothing: draw it first. */
  ui_wait_for_frame (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  /* Opaque background first, as the window would draw it on screen. */
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  /* DC_SCREENSHOT_DIR=data/screenshots: the screenshots kept there (the metainfo's) are
   * written again, in the current look (docs/ui.md "Screenshots"). */
  if (g_getenv ("DC_SCREENSHOT_DIR") != NULL)
    {
      g_autofree char *kept = g_build_filename (g_getenv ("DC_SCREENSHOT_DIR"), name, NULL);

      if (g_file_test (kept, G_FILE_TEST_IS_REGULAR))
        {
          g_assert_true (gdk_texture_save_to_png (texture, kept));
          g_test_message ("screenshot kept: %s", kept);
        }
    }

  stride = (gsize) gdk_texture_get_width (texture) * 4;
  pixels = g_malloc (stride * gdk_texture_get_height (texture));
  gdk_texture_download (texture, pixels, stride);
  for (gsize i = 0; i < stride * gdk_texture_get_height (texture); i += 4)
    {
      guint32 px;

      memcpy (&px, pixels + i, 4);
      g_hash_table_add (colours, GUINT_TO_POINTER (px));
      if (g_hash_table_size (colours) > 10000)
        break;
    }
  return g_hash_table_size (colours);
}

void
ui_create_demo_plant (DcStore *store)
{
  static const char *items[] = {
    "{\"id\":\"f1_i\",\"name\":\"Feeder 1 current\",\"unit\":\"A\"}",
    "{\"id\":\"f2_i\",\"name\":\"Feeder 2 current\",\"unit\":\"A\"}",
    "{\"id\":\"f3_i\",\"name\":\"Feeder 3 current\",\"unit\":\"A\"}",
    "{\"id\":\"f1_p\",\"name\":\"Feeder 1 active power\",\"unit\":\"kW\"}",
    "{\"id\":\"f1_cb\",\"name\":\"Feeder 1 breaker\"}",
    "{\"id\":\"bus_u\",\"name\":\"Busbar voltage\",\"unit\":\"kV\"}",
    "{\"id\":\"u_l1\",\"name\":\"Voltage L1\",\"unit\":\"V\"}",
    "{\"id\":\"u_l2\",\"name\":\"Voltage L2\",\"unit\":\"V\"}",
    "{\"id\":\"p_tot\",\"name\":\"Total active power\",\"unit\":\"kW\"}",
    "{\"id\":\"freq\",\"name\":\"Frequency\",\"unit\":\"Hz\"}",
    "{\"id\":\"level\",\"name\":\"Tank level\",\"unit\":\"%\"}",
    "{\"id\":\"pump\",\"name\":\"Pump running\"}",
    "{\"id\":\"ambient\",\"name\":\"Ambient temperature\",\"unit\":\"°C\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    dc_test_store_create (store, DC_KIND_ITEM, items[i]);

  dc_test_store_create (store, DC_KIND_DEVICE, "{\"id\":\"sub1\",\"name\":\"Substation 1 RTU\","
                        "\"protocol\":\"iec104\",\"ip\":\"127.0.0.1\",\"port\":2404}");
  dc_test_store_create (store, DC_KIND_DEVICE, "{\"id\":\"meter1\",\"name\":\"Main meter\","
                        "\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\",\"port\":502}");
  dc_test_store_create (store, DC_KIND_DEVICE, "{\"id\":\"plc1\",\"name\":\"Pump station PLC\","
                        "\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\",\"port\":503}");
  dc_test_store_create (store, DC_KIND_DEVICE, "{\"id\":\"manual\",\"name\":\"Manual entry\","
                        "\"protocol\":\"virtual\"}");
  dc_test_store_create (store, DC_KIND_TERM, "{\"id\":\"ca1\",\"name\":\"Station CA 1\",\"device_id\":\"sub1\",\"address\":1}");
  dc_test_store_create (store, DC_KIND_TERM, "{\"id\":\"meter1_u1\",\"name\":\"Meter unit 1\",\"device_id\":\"meter1\",\"address\":1}");
  dc_test_store_create (store, DC_KIND_TERM, "{\"id\":\"plc1_u2\",\"name\":\"PLC unit 2\",\"device_id\":\"plc1\",\"address\":2}");
  dc_test_store_create (store, DC_KIND_TERM, "{\"id\":\"manual_t\",\"name\":\"Operator\",\"device_id\":\"manual\"}");

  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"f1_i\",\"protocol_code\":1001,\"code_type\":13,\"up_limit\":400}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"f2_i\",\"protocol_code\":1002,\"code_type\":13}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"f3_i\",\"protocol_code\":1003,\"code_type\":13}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"f1_p\",\"protocol_code\":1011,\"code_type\":13}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"f1_cb\",\"protocol_code\":1101,\"code_type\":31}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"bus_u\",\"protocol_code\":1201,\"code_type\":13,\"down_limit\":9.5,\"up_limit\":10.5}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"meter1_u1\",\"item_id\":\"u_l1\",\"protocol_code\":0,\"code_type\":\"ir:f32\"}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"meter1_u1\",\"item_id\":\"u_l2\",\"protocol_code\":2,\"code_type\":\"ir:f32\"}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"meter1_u1\",\"item_id\":\"p_tot\",\"protocol_code\":12,\"code_type\":\"ir:f32:cdab\"}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"meter1_u1\",\"item_id\":\"freq\",\"protocol_code\":14,\"code_type\":\"ir:f32\"}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"plc1_u2\",\"item_id\":\"level\",\"protocol_code\":0,\"code_type\":\"hr:i16\",\"coefficient\":0.1,\"down_limit\":10,\"up_limit\":90}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"plc1_u2\",\"item_id\":\"pump\",\"protocol_code\":0,\"code_type\":\"co:bool\"}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"manual_t\",\"item_id\":\"ambient\"}");
}

static gpointer
iec_thread_func (gpointer data)
{
  UiPlant *f = data;

  g_main_context_push_thread_default (f->iec_context);
  g_main_loop_run (f->iec_loop);
  g_main_context_pop_thread_default (f->iec_context);
  return NULL;
}

void
ui_plant_setup (UiPlant                 *f,
                gboolean                 modbus,
                const DcIec104SimConfig *iec)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *hdb = NULL;

  memset (f, 0, sizeof *f);
  f->dir = g_dir_make_tmp ("dc-ui-XXXXXX", &error);
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
  dc_test_store_attach_audit (f->store);
  f->engine = dc_engine_new (f->store, f->history);
  dc_engine_start (f->engine);
}

void
ui_plant_add_modbus (UiPlant    *f,
                     const char *id)
{
  g_autofree char *json = NULL;

  json = g_strdup_printf ("{\"id\":\"%s\",\"name\":\"Pump PLC\",\"protocol\":\"modbus_tcp\","
                          "\"ip\":\"127.0.0.1\",\"port\":%u,\"poll_ms\":100,\"timeout_ms\":300}",
                          id, f->modbus_port);
  dc_test_store_create (f->store, DC_KIND_DEVICE, json);
}

void
ui_plant_add_iec104 (UiPlant    *f,
                     const char *id)
{
  g_autofree char *json = NULL;

  json = g_strdup_printf ("{\"id\":\"%s\",\"name\":\"Substation RTU\",\"protocol\":\"iec104\","
                          "\"ip\":\"127.0.0.1\",\"port\":%u}", id, f->iec_port);
  dc_test_store_create (f->store, DC_KIND_DEVICE, json);
}

void
ui_plant_open_window (UiPlant *f)
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
ui_plant_teardown (UiPlant *f)
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
ui_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

guint
ui_render_png_settled (GtkWidget  *widget,
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

static gboolean
is_new_dialog (GtkWindow *candidate,
               GList     *before,
               GtkWindow *parent,
               GType      type)
{
  return g_list_find (before, candidate) == NULL &&
         G_TYPE_CHECK_INSTANCE_TYPE (candidate, type) &&
         gtk_window_get_transient_for (candidate) == parent;
}

GtkWindow *
ui_activate_for_dialog (GtkWindow  *window,
                        const char *action,
                        GType       type)
{
  g_autoptr(GList) before = gtk_window_list_toplevels ();
  g_autoptr(GList) after = NULL;

  if (!gtk_widget_activate_action (GTK_WIDGET (window), action, NULL))
    return NULL;
  after = gtk_window_list_toplevels ();
  for (GList *l = after; l != NULL; l = l->next)
    if (is_new_dialog (l->data, before, window, type))
      return l->data;
  return NULL;
}
