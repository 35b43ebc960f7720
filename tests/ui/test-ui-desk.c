/* test-ui-desk.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The workstation as a desktop starts it: real `datacoll` processes under Xvfb on a private
 * session bus (docs/ui.md "Starting"): one workstation per desktop, "Open Demo Plant" through
 * the running application's action, and start errors shown in a dialog. */

#define G_LOG_DOMAIN "test-ui-desk"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <X11/Xlib.h>
#include <X11/Xatom.h>

#include "dc-test-server.h"
#include "dc-test-wait.h"

/* The title of a top-level X11 window of process @pid, or NULL (the caller frees it). With
 * @title, only a window with that title counts. Xvfb has no window manager: the toplevels
 * are the root's children. */
/* Windows of other tests come and go between XQueryTree() and the reads: their errors
 * (BadWindow) are expected, not fatal (Xlib's default handler exits the process). */
static int
ignore_x_error (Display     *display,
                XErrorEvent *event)
{
  return 0;
}

/* One connection for the whole test (a new one per poll exhausts the server under load). */
static Display *
get_display (void)
{
  static Display *display;

  if (display == NULL)
    {
      XSetErrorHandler (ignore_x_error);
      display = XOpenDisplay (NULL);
    }
  return display;
}

static char *
window_of_pid (GPid        pid,
               const char *title)
{
  Display *display = get_display ();
  Atom pid_atom;
  Window root, parent, *children = NULL;
  unsigned int n = 0;
  char *found = NULL;

  g_assert_nonnull (display);
  pid_atom = XInternAtom (display, "_NET_WM_PID", True);
  if (pid_atom != None &&
      XQueryTree (display, DefaultRootWindow (display), &root, &parent, &children, &n))
    {
      for (unsigned int i = 0; i < n && found == NULL; i++)
        {
          Atom type;
          int format;
          unsigned long n_items, after;
          unsigned char *data = NULL;
          char *name = NULL;
          XWindowAttributes attrs;

          if (XGetWindowProperty (display, children[i], pid_atom, 0, 1, False, XA_CARDINAL,
                                  &type, &format, &n_items, &after, &data) != Success ||
              data == NULL)
            continue;
          if (n_items == 1 && (GPid) *(unsigned long *) data == pid &&
              XGetWindowAttributes (display, children[i], &attrs) &&
              attrs.map_state == IsViewable && XFetchName (display, children[i], &name) &&
              name != NULL && (title == NULL || strcmp (name, title) == 0))
            found = g_strdup (name);
          if (name != NULL)
            XFree (name);
          XFree (data);
        }
      if (children != NULL)
        XFree (children);
    }
  return found;
}

typedef struct
{
  GPid        pid;
  const char *title;
} WindowWait;

static gboolean
has_window (gpointer data)
{
  WindowWait *w = data;
  g_autofree char *name = window_of_pid (w->pid, w->title);

  return name != NULL;
}

/* dc_test_wait_for() with a 100 ms heartbeat: the conditions here are other processes'. */
static gboolean
wait_for (DcTestPredicate predicate,
          gpointer        data,
          double          timeout_s)
{
  guint tick = g_timeout_add (100, dc_test_heartbeat_cb, NULL);
  gboolean done = dc_test_wait_for (NULL, predicate, data, timeout_s);

  g_source_remove (tick);
  return done;
}

static GPid
pid_of (GSubprocess *process)
{
  const char *id = g_subprocess_get_identifier (process);

  g_assert_nonnull (id);
  return (GPid) g_ascii_strtoll (id, NULL, 10);
}

/* The child of @parent whose command line contains @arg, 0 if none. */
static GPid
child_with_arg (GPid        parent,
                const char *arg)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/children", parent, parent);
  g_autofree char *list = NULL;
  g_auto(GStrv) pids = NULL;

  if (!g_file_get_contents (path, &list, NULL, NULL))
    return 0;
  pids = g_strsplit (g_strstrip (list), " ", -1);
  for (guint i = 0; pids[i] != NULL; i++)
    {
      g_autofree char *cmdline_path = g_strdup_printf ("/proc/%s/cmdline", pids[i]);
      g_autofree char *cmdline = NULL;
      gsize len = 0;

      if (pids[i][0] == '\0' || !g_file_get_contents (cmdline_path, &cmdline, &len, NULL))
        continue;
      for (gsize at = 0; at < len; at += strlen (cmdline + at) + 1)
        if (g_str_equal (cmdline + at, arg))
          return (GPid) g_ascii_strtoll (pids[i], NULL, 10);
    }
  return 0;
}

typedef struct
{
  GPid        parent;
  const char *arg;
  GPid        found;
} ChildWait;

static gboolean
has_child (gpointer data)
{
  ChildWait *c = data;

  c->found = child_with_arg (c->parent, c->arg);
  return c->found != 0;
}

static GTestDBus *
private_bus (void)
{
  GTestDBus *bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));

  /* GTestDBus unsets DISPLAY (against X11 autolaunch of the bus); the desks need it. */
  g_test_dbus_up (bus);
  g_assert_nonnull (display);
  g_setenv ("DISPLAY", display, TRUE);
  return bus;
}

/* A second `datacoll` activates the first one (exit 0, no "database in use"); "Open Demo
 * Plant", activated on the running application over D-Bus as the button does, starts the
 * demo plant in its own process with its own window, which stays. */
static void
test_single_instance_and_demo (void)
{
  g_autoptr(GTestDBus) bus = private_bus ();
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "desk.db", NULL);
  const char *args[] = { "--port", "0", "--db", db, NULL };
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *second_err = NULL;
  DcTestServer *desk;
  WindowWait main_window, demo_window;
  ChildWait demo = { 0, "--demo", 0 };

  desk = dc_test_desk_start (args);
  main_window = (WindowWait) { pid_of (desk->process), "DataColl" };
  g_assert_true (wait_for (has_window, &main_window, 30));

  /* The single-instance path: the second process hands over and exits at once. */
  second = dc_test_desk_spawn (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                               args);
  g_subprocess_communicate_utf8 (second, NULL, NULL, NULL, &second_err, &error);
  g_assert_no_error (error);
  g_test_message ("second datacoll: %s", second_err);
  g_assert_true (g_subprocess_get_if_exited (second));
  g_assert_cmpint (g_subprocess_get_exit_status (second), ==, 0);
  g_assert_nonnull (strstr (second_err, "DataColl is already running"));
  g_assert_null (strstr (second_err, "in use"));

  /* The empty state's button activates app.open-demo: the same action over D-Bus. */
  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (connection, "io.github.datacoll.DataColl",
                                       "/io/github/datacoll/DataColl", "org.gtk.Actions",
                                       "Activate",
                                       g_variant_new ("(sava{sv})", "open-demo", NULL, NULL),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);

  demo.parent = pid_of (desk->process);
  g_assert_true (wait_for (has_child, &demo, 30));
  demo_window = (WindowWait) { demo.found, "DataColl" };
  g_assert_true (wait_for (has_window, &demo_window, 60));
  /* The demo did not hand over to the running workstation: both windows are there. */
  g_assert_true (has_window (&main_window));
  g_assert_cmpint (child_with_arg (demo.parent, "--demo"), ==, demo.found);

  kill (demo.found, SIGTERM);
  dc_test_server_stop (desk);
  g_clear_object (&connection);
  g_test_dbus_down (bus);
}

/* A start error (the port is held by something that is not DataColl) is a dialog, not only
 * a line on stderr; the process ends with status 1 when it is closed. */
static void
test_start_error_dialog (void)
{
  g_autoptr(GTestDBus) bus = private_bus ();
  g_autoptr(GSocketListener) holder = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) want = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) got = NULL;
  g_autoptr(GSubprocess) desk = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "desk.db", NULL);
  g_autofree char *port = NULL;
  WindowWait dialog;

  g_socket_listener_add_address (holder, want, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &got, &error);
  g_assert_no_error (error);
  port = g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (got)));

  desk = dc_test_desk_spawn (G_SUBPROCESS_FLAGS_STDERR_SILENCE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                             (const char *[]) { "--port", port, "--db", db, NULL });
  dialog = (WindowWait) { pid_of (desk), "DataColl Could Not Start" };
  g_assert_true (wait_for (has_window, &dialog, 30));

  g_subprocess_send_signal (desk, SIGTERM);
  g_subprocess_wait (desk, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (desk));
  g_assert_cmpint (g_subprocess_get_exit_status (desk), ==, 1);
  g_test_dbus_down (bus);
}

/* Reads the desk's stderr until a line contains @text; FALSE when it ends first. */
static gboolean
read_until (GDataInputStream *err,
            const char       *text,
            GString          *log)
{
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, NULL);

      if (line == NULL)
        return FALSE;
      g_string_append_printf (log, "%s\n", line);
      if (strstr (line, text) != NULL)
        return TRUE;
    }
}

/* `datacoll` without arguments while a DataColl server holds its port: the workstation
 * attaches to that server (no database of its own, no "port in use"), its window opens. */
static void
test_attach (void)
{
  g_autoptr(GTestDBus) bus = private_bus ();
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *server_db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *desk_db = g_build_filename (dir, "desk.db", NULL);
  g_autofree char *port = NULL;
  g_autofree char *want = NULL;
  g_autoptr(GSubprocess) desk = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  DcTestServer *server;
  WindowWait window;

  server = dc_test_server_start ((const char *[]) { "--server", "--port", "0", "--db", server_db,
                                                    NULL });
  port = g_strdup (strrchr (server->base, ':') + 1);
  desk = dc_test_desk_spawn (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                             (const char *[]) { "--port", port, "--db", desk_db, NULL });
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (desk));
  want = g_strdup_printf ("DataColl workstation on http://127.0.0.1:%s", port);
  g_assert_true (read_until (err, want, log));
  g_test_message ("desk: %s", log->str);
  g_assert_nonnull (strstr (log->str, "DataColl already answers on"));
  window = (WindowWait) { pid_of (desk), "DataColl" };
  g_assert_true (wait_for (has_window, &window, 30));
  /* A desk of the server: no engine, no database of its own. */
  g_assert_false (g_file_test (desk_db, G_FILE_TEST_EXISTS));

  g_subprocess_send_signal (desk, SIGTERM);
  g_subprocess_wait (desk, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (desk));
  g_assert_cmpint (g_subprocess_get_exit_status (desk), ==, 0);
  dc_test_server_stop (server);
  g_test_dbus_down (bus);
}

/* `datacoll --connect URL`: the workstation on that server; a URL that is no server address
 * is a start error in a dialog. */
static void
test_connect (void)
{
  g_autoptr(GTestDBus) bus = private_bus ();
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *server_db = g_build_filename (dir, "server.db", NULL);
  g_autoptr(GSubprocess) desk = NULL;
  g_autoptr(GSubprocess) wrong = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autofree char *want = NULL;
  DcTestServer *server;
  WindowWait window, dialog;

  server = dc_test_server_start ((const char *[]) { "--server", "--port", "0", "--db", server_db,
                                                    NULL });
  desk = dc_test_desk_spawn (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                             (const char *[]) { "--connect", server->base, NULL });
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (desk));
  want = g_strdup_printf ("DataColl workstation on %s", server->base);
  g_assert_true (read_until (err, want, log));
  window = (WindowWait) { pid_of (desk), "DataColl" };
  g_assert_true (wait_for (has_window, &window, 30));
  g_subprocess_send_signal (desk, SIGTERM);
  g_subprocess_wait (desk, NULL, NULL);
  g_assert_cmpint (g_subprocess_get_exit_status (desk), ==, 0);

  wrong = dc_test_desk_spawn (G_SUBPROCESS_FLAGS_STDERR_SILENCE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                              (const char *[]) { "--connect", "ftp://nowhere", NULL });
  dialog = (WindowWait) { pid_of (wrong), "DataColl Could Not Start" };
  g_assert_true (wait_for (has_window, &dialog, 30));
  g_subprocess_send_signal (wrong, SIGTERM);
  g_subprocess_wait (wrong, NULL, NULL);
  g_assert_cmpint (g_subprocess_get_exit_status (wrong), ==, 1);

  dc_test_server_stop (server);
  g_test_dbus_down (bus);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/ui/desk/single-instance-and-demo", test_single_instance_and_demo);
  g_test_add_func ("/dc/ui/desk/start-error", test_start_error_dialog);
  g_test_add_func ("/dc/ui/desk/attach", test_attach);
  g_test_add_func ("/dc/ui/desk/connect", test_connect);

  return g_test_run ();
}
