/* test-ui-remote-login.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* Who the desk is on a server: the login dialog and the user's rights, TLS trust on first
 * use (docs/security.md). */

#define G_LOG_DOMAIN "test-ui-remote"

#include "config.h"

#include <string.h>

#include "dc-edit-dialog.h"
#include "dc-login-dialog.h"
#include "ui-remote.h"

static gboolean
alarm_acked (gpointer data)
{
  gpointer *args = data;

  return g_strcmp0 (alarm_state (args[0], *(gint64 *) args[1]), "active_acknowledged") == 0;
}

static void
record_error (const GError *error,
              gpointer      user_data)
{
  *(char **) user_data = g_strdup (error ? error->message : "ok");
}

static guint
n_alarms (DcRemoteSource *source)
{
  g_autoptr(JsonArray) list = dc_plant_source_list_alarms (DC_PLANT_SOURCE (source), FALSE);

  return json_array_get_length (list);
}

/* A server with users: the desk's first request gets 401, the login dialog opens by itself; a
 * wrong password shows the server's refusal, the right one connects, the header names the
 * user and role, and the desk's actions are the user's (an acknowledgement in the server's
 * journal names her). */
static void
test_login (void)
{
  Desk d = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) list = NULL;
  AdwMessageDialog *dialog = NULL;
  GtkWidget *user_label;
  gint64 id;

  d.dir = dc_test_make_dir ();
  d.db = g_build_filename (d.dir, "server.db", NULL);
  d.sim = dc_test_sim_spawn ("--port", "0", "--static", NULL);
  add_user (d.db, "alice", "operator", "correct horse battery");
  add_user (d.db, "root", "admin", "admin password 1");
  d.server = start_server (d.db, 0);
  d.port = (guint) g_ascii_strtoull (strrchr (d.server->base, ':') + 1, NULL, 10);
  {
    /* The plant is set up by an engineer's session (an admin here). */
    g_autofree char *token = login_token (d.server->base, "root", "admin password 1");
    g_autofree char *device = g_strdup_printf ("{\"id\":\"m\",\"protocol\":\"modbus_tcp\","
                                               "\"ip\":\"127.0.0.1\",\"port\":%u,"
                                               "\"poll_ms\":100}", d.sim->ports[0]);
    const char *bodies[][2] = {
      { "/api/v1/devices", device },
      { "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"m\",\"address\":1}" },
      { "/api/v1/items", "{\"id\":\"r2\",\"name\":\"Register 2\"}" },
      { "/api/v1/terms/t1/items", "{\"item_id\":\"r2\",\"protocol_code\":2,"
                                  "\"code_type\":\"hr:u16\",\"up_limit\":1}" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
      {
        g_autoptr(DcReply) r = dc_http_full (d.server->base, "POST", bodies[i][0], bodies[i][1],
                                             -1, token);

        g_assert_cmpuint (r->status, ==, 200);
      }
  }

  d.source = dc_remote_source_new (d.server->base, NULL, &error);
  g_assert_no_error (error);
  d.window = open_desk (&d.app, d.source);
  DC_TEST_WAIT_UNTIL (dc_plant_source_get_state (DC_PLANT_SOURCE (d.source)) == DC_SOURCE_LOGIN, 20);
  g_assert_true (ui_wait_until (find_dialog, &dialog, 5000));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (dialog)), "Log In to 127.0.0.1:"));
  ui_wait_for_frame (GTK_WIDGET (d.window));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-remote-login.png"), >, 8);

  /* A wrong password: the server's refusal, in the dialog shown again. */
  dc_login_dialog_set_credentials (GTK_WIDGET (dialog), "alice", "wrong password");
  adw_message_dialog_response (dialog, "login");
  gtk_window_destroy (GTK_WINDOW (dialog));
  dialog = NULL;
  DC_TEST_WAIT_UNTIL (find_dialog (&dialog) &&
                      strstr (dc_login_dialog_get_text (GTK_WIDGET (dialog)) ?: "",
                              "invalid user or password!") != NULL, 20);
  dc_login_dialog_set_credentials (GTK_WIDGET (dialog), "alice", "correct horse battery");
  adw_message_dialog_response (dialog, "login");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_connected (d.source, 1);
  g_assert_cmpstr (dc_plant_source_get_user (DC_PLANT_SOURCE (d.source)), ==, "alice");
  g_assert_cmpstr (dc_plant_source_get_role (DC_PLANT_SOURCE (d.source)), ==, "operator");
  /* The header names her. */
  ui_wait_for_frame (GTK_WIDGET (d.window));
  user_label = find_label (GTK_WIDGET (d.window), "alice (operator)");
  g_assert_nonnull (user_label);
  g_assert_true (gtk_widget_get_visible (user_label));
  DC_TEST_WAIT_UNTIL (dc_plant_model_get_n_points (plant_of (d.app)) == 1, 20);
  ui_wait_for_frame (GTK_WIDGET (d.window));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (d.window), "screenshot-remote-user.png"), >, 20);
  /* An operator may control, not configure: the edit actions are off and say why. */
  g_assert_null (ui_activate_for_dialog (GTK_WINDOW (d.window), "win.edit", DC_TYPE_EDIT_DIALOG));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (ui_find_type (GTK_WIDGET (d.window),
                                                              GTK_TYPE_MENU_BUTTON)), ==,
                   "Changing the configuration needs the engineer role");

  /* Alice acknowledges the alarm of r2 (2 > 1): the server's journal names her. */
  DC_TEST_WAIT_UNTIL (n_alarms (d.source) == 1, 30);
  list = dc_plant_source_list_alarms (DC_PLANT_SOURCE (d.source), FALSE);
  id = json_object_get_int_member (json_array_get_object_element (list, 0), "id");
  dialog = NULL;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dc_window_get_alarms_page (d.window)),
                                             "alarms.ack", "x", id));
  g_assert_true (ui_wait_until (find_dialog, &dialog, 5000));
  adw_message_dialog_response (dialog, "ack");
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (!ui_wait_until (alarm_acked, &(gpointer[]) { d.source, &id }, 5000))
    {
      char *text = NULL;

      dc_plant_source_alarm_action (DC_PLANT_SOURCE (d.source), id, FALSE, 0, NULL, record_error,
                                    &text);
      DC_TEST_WAIT_UNTIL (text != NULL, 10);
      g_error ("state %s; a direct acknowledgement: %s", alarm_state (d.source, id), text);
    }
  {
    g_autofree char *token = login_token (d.server->base, "root", "admin password 1");
    g_autoptr(DcReply) journal = dc_http_full (d.server->base, "GET", "/api/v1/alarms/journal",
                                               NULL, -1, token);

    g_test_message ("journal: %s", journal->body);
    g_assert_nonnull (strstr (journal->body, "\"user\":\"alice\""));
  }
  desk_teardown (&d);
}

/* Runs @argv to completion; its standard output, which must be a success. */
static char *
run_tool (const char * const *argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return out;
}

/* A server with a self-signed certificate (openssl req -x509): the desk refuses it and shows
 * its SHA-256 fingerprint (the one `openssl x509 -fingerprint -sha256` prints); trusted, it is
 * remembered for that server and the desk connects; a desk that trusts another fingerprint
 * is refused again. */
static void
test_tls (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *printed = NULL;
  g_autofree char *location = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DcRemoteSource) source = NULL;
  g_autoptr(DcRemoteSource) other = NULL;
  g_autoptr(GVariant) trusted = NULL;
  DcApplication *app = NULL;
  DcWindow *window;
  DcTestServer *server;
  AdwMessageDialog *dialog = NULL;
  g_autofree char *fingerprint = NULL;
  const char *remembered = NULL;
  const char *req[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost", NULL };
  const char *x509[] = { "openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256",
                         NULL };

  g_free (run_tool (req));
  printed = run_tool (x509);
  g_strstrip (printed);
  server = dc_test_server_start ((const char *[]) { "--server", "--port", "0", "--db", db,
                                                    "--tls-cert", cert, "--tls-key", key, NULL });
  g_assert_true (g_str_has_prefix (server->base, "https://127.0.0.1:"));
  location = g_strdup (server->base + strlen ("https://"));

  source = dc_remote_source_new (server->base, NULL, &error);
  g_assert_no_error (error);
  window = open_desk (&app, source);
  DC_TEST_WAIT_UNTIL (dc_plant_source_get_state (DC_PLANT_SOURCE (source)) == DC_SOURCE_TRUST, 20);
  fingerprint = g_strdup (dc_remote_source_get_pending_fingerprint (source));
  g_test_message ("openssl: %s; desk: %s", printed, fingerprint);
  g_assert_nonnull (fingerprint);
  g_assert_true (g_str_has_suffix (printed, fingerprint));
  g_assert_cmpuint (strlen (fingerprint), ==, 32 * 3 - 1);

  /* The dialog came by itself; trusted, the desk connects and remembers it. */
  g_assert_true (ui_wait_until (find_dialog, &dialog, 5000));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (dialog)), location));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-remote-trust.png"), >, 8);
  adw_message_dialog_response (dialog, "trust");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_connected (source, 1);
  trusted = g_settings_get_value (dc_application_get_settings (app), "trusted-certificates");
  g_assert_true (g_variant_lookup (trusted, location, "&s", &remembered));
  g_assert_cmpstr (remembered, ==, fingerprint);

  /* Another fingerprint trusted for this server: refused. */
  other = dc_remote_source_new (server->base, NULL, &error);
  dc_remote_source_set_trusted_fingerprint (other, "00:11:22");
  dc_plant_source_attach (DC_PLANT_SOURCE (other), dc_plant_model_new ());
  DC_TEST_WAIT_UNTIL (dc_plant_source_get_state (DC_PLANT_SOURCE (other)) == DC_SOURCE_TRUST, 20);
  dc_plant_source_detach (DC_PLANT_SOURCE (other));

  gtk_window_destroy (GTK_WINDOW (window));
  dc_application_set_source (app, NULL);
  g_object_unref (app);
  dc_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/dc/ui/remote/login", test_login);
  ui_test_add ("/dc/ui/remote/tls", test_tls);

  return g_test_run ();
}
