/* ui-remote.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-ui-remote"

#include "config.h"

#include <string.h>

#include "ui-remote.h"

DcTestServer *
start_server (const char *db,
              guint       port)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);

  return dc_test_server_start ((const char *[]) { "--server", "--port", port_text, "--db", db,
                                                  NULL });
}

void
post (const char *base,
      const char *path,
      const char *body,
      const char *token)
{
  g_autoptr(DcReply) reply = dc_http_full (base, "POST", path, body, -1, token);

  if (reply->status != 200)
    g_error ("POST %s %s: %u %s", path, body, reply->status, reply->body);
}

char *
login_token (const char *base,
             const char *user,
             const char *password)
{
  g_autofree char *body = g_strdup_printf ("{\"user\":\"%s\",\"password\":\"%s\"}", user,
                                           password);
  g_autoptr(DcReply) login = dc_http (base, "POST", "/api/v1/login", body);
  g_autoptr(JsonNode) node = json_from_string (login->body, NULL);

  g_assert_cmpuint (login->status, ==, 200);
  return g_strdup (json_object_get_string_member (json_node_get_object (node), "token"));
}

void
add_user (const char *db,
          const char *name,
          const char *role,
          const char *password)
{
  g_autofree char *input = g_strdup_printf ("%s\n", password);
  g_autofree char *err = NULL;
  const char *args[] = { "user", "add", name, "--role", role, "--db", db, NULL };

  if (dc_test_datacoll_run_input (args, input, NULL, &err) != 0)
    g_error ("datacoll user add: %s", err);
}

void
configure_plant (Desk *d)
{
  g_autofree char *device = g_strdup_printf ("{\"id\":\"m\",\"name\":\"Pump station\","
                                             "\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\","
                                             "\"port\":%u,\"poll_ms\":100}", d->sim->ports[0]);

  post (d->server->base, "/api/v1/devices", device, d->token);
  post (d->server->base, "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"m\",\"address\":1}",
        d->token);
  for (guint i = 0; i < N_POINTS; i++)
    {
      g_autofree char *item = g_strdup_printf ("{\"id\":\"r%u\",\"name\":\"Register %u\"}", i, i);
      g_autofree char *point = g_strdup_printf ("{\"item_id\":\"r%u\",\"protocol_code\":%u,"
                                                "\"code_type\":\"hr:u16\",\"history\":\"all\"}",
                                                i, i);

      post (d->server->base, "/api/v1/items", item, d->token);
      post (d->server->base, "/api/v1/terms/t1/items", point, d->token);
    }
}

DcWindow *
open_desk (DcApplication  **app,
           DcRemoteSource  *source)
{
  DcWindow *window;

  *app = dc_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (*app), NULL, NULL));
  dc_application_set_source (*app, DC_PLANT_SOURCE (source));
  g_application_activate (G_APPLICATION (*app));
  window = DC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (*app)));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  ui_wait_for_frame (GTK_WIDGET (window));
  return window;
}

void
close_desk (DcApplication *app,
            DcWindow      *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  dc_application_set_source (app, NULL);
  g_object_unref (app);
}

void
desk_start (Desk        *d,
            const char **users,
            gboolean     open_window)
{
  g_autoptr(GError) error = NULL;

  d->dir = dc_test_make_dir ();
  d->db = g_build_filename (d->dir, "server.db", NULL);
  d->sim = dc_test_sim_spawn ("--port", "0", "--static", NULL);
  for (guint i = 0; users != NULL && users[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (users[i], ":", 3);

      add_user (d->db, parts[0], parts[1], parts[2]);
    }
  d->server = start_server (d->db, 0);
  d->port = (guint) g_ascii_strtoull (strrchr (d->server->base, ':') + 1, NULL, 10);
  if (users != NULL && users[0] != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (users[0], ":", 3);

      d->token = login_token (d->server->base, parts[0], parts[2]);
    }
  configure_plant (d);

  d->source = dc_remote_source_new (d->server->base, NULL, &error);
  g_assert_no_error (error);
  if (open_window)
    d->window = open_desk (&d->app, d->source);
}

void
desk_setup (Desk *d)
{
  desk_start (d, NULL, TRUE);
}

void
desk_teardown (Desk *d)
{
  close_desk (d->app, d->window);
  g_object_unref (d->source);
  if (d->server != NULL)
    dc_test_server_stop (d->server);
  dc_test_sim_kill (d->sim);
  g_free (d->token);
  g_free (d->db);
  g_free (d->dir);
}

DcPlantModel *
plant_of (DcApplication *app)
{
  return dc_application_get_plant (app);
}

double
server_value (Desk  *d,
              guint  i)
{
  g_autoptr(DcReply) reply = dc_http (d->server->base, "GET", "/api/v1/values?device_id=m", NULL);
  g_autoptr(JsonNode) root = json_from_string (reply->body, NULL);
  g_autofree char *item = g_strdup_printf ("r%u", i);
  JsonArray *array;

  g_assert_cmpuint (reply->status, ==, 200);
  array = json_node_get_array (root);
  for (guint k = 0; k < json_array_get_length (array); k++)
    {
      JsonObject *o = json_array_get_object_element (array, k);

      if (g_strcmp0 (json_object_get_string_member (o, "item_id"), item) == 0)
        return json_object_get_double_member (o, "value");
    }
  return -1;
}

gboolean
row_has_value (DcPlantModel *plant,
               const char   *item,
               double        value)
{
  DcPointRow *row = dc_plant_model_lookup_point_id (plant, "t1", item);

  return row != NULL && dc_point_row_has_value (row) && dc_point_row_get_value (row) == value;
}

void
wait_connected (DcRemoteSource *source,
                guint           n_connects)
{
  DC_TEST_WAIT_UNTIL (dc_plant_source_get_state (DC_PLANT_SOURCE (source)) == DC_SOURCE_CONNECTED &&
                      dc_remote_source_get_n_connects (source) >= n_connects, 30);
}

gboolean
find_dialog (gpointer data)
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

GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_label (c, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

const char *
alarm_state (DcRemoteSource *source,
             gint64          id)
{
  g_autoptr(JsonObject) alarm = dc_plant_source_get_alarm (DC_PLANT_SOURCE (source), id);
  static char state[64];

  g_strlcpy (state, alarm ? json_object_get_string_member_with_default (alarm, "state", "") : "",
             sizeof state);
  return state;
}
