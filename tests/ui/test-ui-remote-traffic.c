/* test-ui-remote-traffic.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The Traffic page of a desk on a server (docs/ui-traffic.md "Through the plant connection"):
 * a separate `datacoll --server` process polling a real Modbus simulator and an IEC 104
 * outstation (both `datacoll-sim` processes), and in this process the workstation's window over
 * the remote plant connection, as `datacoll --connect URL` builds it. The page shows the
 * server's frames as they come, its link counters, the object table and the Modbus values. */

#define G_LOG_DOMAIN "test-ui-remote"

#include "config.h"

#include <string.h>
#include <sys/prctl.h>
#include <signal.h>

#include "dc-local-source.h"
#include "dc-remote-source.h"
#include "dc-test-http.h"
#include "dc-test-server.h"
#include "dc-test-sim.h"
#include "dc-test-ui.h"
#include "dc-test-wait.h"
#include "dc-traffic-item-objects.h"

typedef struct
{
  char           *dir;
  DcTestSim      *modbus;
  GSubprocess    *iec104;
  guint           iec104_port;
  DcTestServer   *server;
  DcApplication  *app;
  DcWindow       *window;
  DcRemoteSource *source;
} Desk;

static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* `datacoll-sim iec104 --port 0 …`: the port from its first line. */
static GSubprocess *
spawn_iec104 (guint *port)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) data = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;
  const char *marker;

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("DATACOLL_SIM"), "iec104",
                                         "--port", "0", "--bind", "127.0.0.1",
                                         "--changes-per-s", "5", NULL);
  g_assert_no_error (error);
  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (data, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  marker = strstr (line, " port ");
  g_assert_nonnull (marker);
  *port = (guint) g_ascii_strtoull (marker + strlen (" port "), NULL, 10);
  g_assert_cmpuint (*port, >, 0);
  return process;
}

static void
post (const char *base,
      const char *path,
      const char *body)
{
  g_autoptr(DcReply) reply = dc_http (base, "POST", path, body);

  if (reply->status != 200)
    g_error ("POST %s %s: %u %s", path, body, reply->status, reply->body);
}

/* Device "m" (Modbus TCP, a point on holding registers 2–3) and device "rtu" (IEC 104, a float
 * at IOA 4001 and a double point at 1001 with its own state words). */
static void
configure_plant (Desk *d)
{
  g_autofree char *modbus = g_strdup_printf ("{\"id\":\"m\",\"name\":\"Pump station\","
                                             "\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\","
                                             "\"port\":%u,\"poll_ms\":200}", d->modbus->ports[0]);
  g_autofree char *iec104 = g_strdup_printf ("{\"id\":\"rtu\",\"name\":\"Substation RTU\","
                                             "\"protocol\":\"iec104\",\"ip\":\"127.0.0.1\","
                                             "\"port\":%u}", d->iec104_port);

  post (d->server->base, "/api/v1/devices", modbus);
  post (d->server->base, "/api/v1/devices", iec104);
  post (d->server->base, "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"m\",\"address\":1}");
  post (d->server->base, "/api/v1/terms", "{\"id\":\"ca1\",\"device_id\":\"rtu\",\"address\":1}");
  post (d->server->base, "/api/v1/items", "{\"id\":\"lvl\",\"name\":\"Tank level\"}");
  post (d->server->base, "/api/v1/items", "{\"id\":\"f1\",\"name\":\"Feeder 1 current\",\"unit\":\"A\"}");
  post (d->server->base, "/api/v1/items", "{\"id\":\"cb1\",\"name\":\"Breaker 1\"}");
  post (d->server->base, "/api/v1/terms/t1/items",
        "{\"item_id\":\"lvl\",\"protocol_code\":2,\"code_type\":\"hr:u32\"}");
  post (d->server->base, "/api/v1/terms/ca1/items",
        "{\"item_id\":\"f1\",\"protocol_code\":4001,\"code_type\":13}");
  post (d->server->base, "/api/v1/terms/ca1/items",
        "{\"item_id\":\"cb1\",\"protocol_code\":1001,\"code_type\":3,"
        "\"states\":{\"0\":\"moving\",\"1\":\"tripped\",\"2\":\"in service\",\"3\":\"faulty\"}}");
}

static void
desk_setup (Desk *d)
{
  g_autoptr(GError) error = NULL;

  d->dir = dc_test_make_dir ();
  {
    g_autofree char *db = g_build_filename (d->dir, "server.db", NULL);

    d->modbus = dc_test_sim_spawn ("--port", "0", "--static", NULL);
    d->iec104 = spawn_iec104 (&d->iec104_port);
    d->server = dc_test_server_start ((const char *[]) { "--server", "--port", "0", "--db", db,
                                                         NULL });
  }
  configure_plant (d);

  d->source = dc_remote_source_new (d->server->base, NULL, &error);
  g_assert_no_error (error);
  d->app = dc_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (d->app), NULL, NULL));
  dc_application_set_source (d->app, DC_PLANT_SOURCE (d->source));
  g_application_activate (G_APPLICATION (d->app));
  d->window = DC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (d->app)));
  g_assert_nonnull (d->window);
  gtk_window_set_default_size (GTK_WINDOW (d->window), 1200, 760);
  ui_wait_for_frame (GTK_WIDGET (d->window));
}

static void
desk_teardown (Desk *d)
{
  gtk_window_destroy (GTK_WINDOW (d->window));
  dc_application_set_source (d->app, NULL);
  g_object_unref (d->app);
  g_object_unref (d->source);
  dc_test_server_stop (d->server);
  dc_test_sim_kill (d->modbus);
  g_subprocess_force_exit (d->iec104);
  g_subprocess_wait (d->iec104, NULL, NULL);
  g_object_unref (d->iec104);
  g_free (d->dir);
}

static gboolean
has_frame (GListModel *model,
           const char *needle)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(DcTrafficItem) item = g_list_model_get_item (model, i);

      if (strstr (dc_traffic_item_get_summary (item), needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* The seq of the newest frame shown (the server numbers them). */
static guint64
top_seq (GListModel *model)
{
  g_autoptr(DcTrafficItem) item = g_list_model_get_item (model, 0);

  return item ? dc_traffic_item_get_seq (item) : 0;
}

static void
select_frame (DcTrafficView *traffic,
              const char    *needle)
{
  GListModel *shown = dc_traffic_view_get_shown (traffic);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(DcTrafficItem) item = g_list_model_get_item (shown, i);

      if (strstr (dc_traffic_item_get_summary (item), needle) != NULL)
        {
          dc_traffic_view_select (traffic, i);
          return;
        }
    }
  g_assert_not_reached ();
}

static DcTrafficObject *
find_object (GListModel *objects,
             const char *address)
{
  for (guint i = 0; i < g_list_model_get_n_items (objects); i++)
    {
      g_autoptr(DcTrafficObject) object = g_list_model_get_item (objects, i);

      if (g_str_equal (dc_traffic_object_get_text (object, DC_TRAFFIC_COLUMN_ADDRESS), address))
        return object;  /* the model keeps it */
    }
  return NULL;
}

static void
select_device (Desk       *d,
               const char *id)
{
  DcPlantModel *plant = dc_application_get_plant (d->app);
  DcDeviceNode *node;

  DC_TEST_WAIT_UNTIL ((node = dc_plant_model_lookup_device (plant, id)) != NULL, 20);
  g_assert_true (dc_window_select (d->window, node));
}

static void
save_shot (GtkWidget  *widget,
           const char *name)
{
  g_assert_cmpuint (ui_render_png_settled (widget, name), >, 16);
}

static void
test_remote_traffic (void)
{
  Desk d = { 0 };
  DcTrafficView *traffic;
  GListModel *shown;
  GListModel *objects;
  guint64 newest = 0;

  desk_setup (&d);
  DC_TEST_WAIT_UNTIL (dc_plant_source_get_state (DC_PLANT_SOURCE (d.source)) == DC_SOURCE_CONNECTED, 30);
  /* Nothing of this runs here: the desk has no engine. */
  g_assert_null (dc_plant_source_get_local_engine (DC_PLANT_SOURCE (d.source)));
  traffic = dc_window_get_traffic_view (d.window);
  shown = dc_traffic_view_get_shown (traffic);
  objects = dc_traffic_view_get_objects (traffic);

  /* IEC 104: the server's frames, decoded by the server, shown as they come. */
  select_device (&d, "rtu");
  dc_window_set_view (d.window, "traffic");
  DC_TEST_WAIT_UNTIL (has_frame (shown, "STARTDT"), 30);
  DC_TEST_WAIT_UNTIL (has_frame (shown, "C_IC_NA_1"), 30);
  DC_TEST_WAIT_UNTIL (has_frame (shown, "M_DP_NA_1"), 30);
  DC_TEST_WAIT_UNTIL (has_frame (shown, "_TF_1 spont"), 30);
  newest = top_seq (shown);
  /* Live: newer frames keep coming (the simulator sends 5 changes a second). */
  DC_TEST_WAIT_UNTIL (top_seq (shown) > newest + 5, 30);
  /* The server's link counters. */
  DC_TEST_WAIT_UNTIL (strstr (dc_traffic_view_get_link_text (traffic), "Link up") != NULL, 20);
  g_assert_nonnull (strstr (dc_traffic_view_get_link_text (traffic), "frames in "));
  g_test_message ("link: %s", dc_traffic_view_get_link_text (traffic));
  save_shot (GTK_WIDGET (d.window), "screenshot-traffic-remote.png");

  /* The object table of a remote frame: the desk's configuration names the points. */
  dc_traffic_view_set_paused (traffic, TRUE);
  select_frame (traffic, "M_DP_NA_1");
  {
    DcTrafficObject *cb = find_object (objects, "1001");
    const char *value;

    g_assert_nonnull (cb);
    g_assert_cmpstr (dc_traffic_object_get_text (cb, DC_TRAFFIC_COLUMN_TYPE), ==, "M_DP_NA_1");
    g_assert_cmpstr (dc_traffic_object_get_text (cb, DC_TRAFFIC_COLUMN_POINT), ==, "Breaker 1");
    value = dc_traffic_object_get_text (cb, DC_TRAFFIC_COLUMN_VALUE);
    g_test_message ("1001: %s", value);
    g_assert_true (g_str_equal (value, "moving (0)") || g_str_equal (value, "tripped (1)") ||
                   g_str_equal (value, "in service (2)") || g_str_equal (value, "faulty (3)"));
    g_assert_cmpstr (dc_traffic_object_get_text (cb, DC_TRAFFIC_COLUMN_QUALITY), ==, "good");
  }
  select_frame (traffic, "_TF_1 spont");
  {
    g_autoptr(DcTrafficObject) o = g_list_model_get_item (objects, 0);

    g_assert_nonnull (o);
    g_assert_cmpuint (strlen (dc_traffic_object_get_text (o, DC_TRAFFIC_COLUMN_TIME)), ==,
                      strlen ("2026-12-06 20:31:02.123"));
  }
  select_frame (traffic, "M_DP_NA_1");
  save_shot (GTK_WIDGET (d.window), "screenshot-traffic-remote-iec104-detail.png");
  dc_traffic_view_set_paused (traffic, FALSE);

  /* Modbus: another device's frames replace these; answers carry their values. */
  select_device (&d, "m");
  DC_TEST_WAIT_UNTIL (has_frame (shown, "request unit 1 read holding registers address 2 count 2"), 30);
  DC_TEST_WAIT_UNTIL (has_frame (shown, "registers at 2–3: "), 30);
  g_assert_false (has_frame (shown, "M_ME_"));
  dc_traffic_view_set_paused (traffic, TRUE);
  select_frame (traffic, "registers at 2–3: ");
  g_assert_cmpuint (g_list_model_get_n_items (objects), ==, 2);
  g_assert_nonnull (find_object (objects, "hr 2"));
  g_assert_nonnull (find_object (objects, "hr 3"));
  DC_TEST_WAIT_UNTIL (strstr (dc_traffic_view_get_link_text (traffic), "Link up") != NULL, 20);

  desk_teardown (&d);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/dc/ui/remote/traffic", test_remote_traffic);

  return g_test_run ();
}
