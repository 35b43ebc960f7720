/* test-full-disk.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The history file on a small tmpfs that fills up (docs/history.md "Full disk"), with the real
 * `datacoll --server` and a Modbus device storing 10,000 values/s. While nothing can be written:
 * `/api/v1/status` says why (history `error`) and the log says it once, not once per
 * transaction; acquisition goes on (the live values move, the engine is not congested, the
 * samples the writer cannot hold are dropped and counted); the file stays sound. When space
 * returns the writer goes on by itself and says so, and the rollups agree with the samples.
 *
 * The tmpfs is mounted in a mount namespace of the test's own (as root, as in CI; otherwise in
 * a user namespace of its own, which Debian allows to unprivileged users), so nothing is left
 * mounted when the test ends. A loop device or RLIMIT_FSIZE would not be the same: RLIMIT_FSIZE
 * raises SIGXFSZ/EFBIG for one process, not ENOSPC for every writer of the file system.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "dc-test-http.h"
#include "dc-test-server.h"
#include "dc-test-sim.h"
#include "dc-test-wait.h"

#define N_POINTS 100

static char *namespace_error;

static gboolean
write_file (const char *path,
            const char *text)
{
  return g_file_set_contents (path, text, -1, NULL);
}

/* A mount namespace of the process' own, with private mounts; in a user namespace of its own
 * when not root. Before any thread exists (unshare(CLONE_NEWUSER) requires it). */
static void
enter_mount_namespace (void)
{
  uid_t uid = getuid ();
  gid_t gid = getgid ();

  if (unshare (CLONE_NEWNS) != 0)
    {
      g_autofree char *uid_map = g_strdup_printf ("0 %u 1\n", uid);
      g_autofree char *gid_map = g_strdup_printf ("0 %u 1\n", gid);

      if (unshare (CLONE_NEWUSER | CLONE_NEWNS) != 0)
        {
          namespace_error = g_strdup_printf ("unshare: %s", g_strerror (errno));
          return;
        }
      if (!write_file ("/proc/self/setgroups", "deny") ||
          !write_file ("/proc/self/uid_map", uid_map) ||
          !write_file ("/proc/self/gid_map", gid_map))
        {
          namespace_error = g_strdup ("cannot map the user namespace's ids");
          return;
        }
    }
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    namespace_error = g_strdup_printf ("mount --make-rprivate /: %s", g_strerror (errno));
}

static JsonNode *
get_json (const char *base,
          const char *path)
{
  g_autoptr(DcReply) reply = dc_http (base, "GET", path, NULL);

  if (reply->status != 200)
    g_error ("GET %s: %u %s", path, reply->status, reply->body);
  return json_from_string (reply->body, NULL);
}

static void
post_ok (const char *base,
         const char *path,
         const char *body)
{
  g_autoptr(DcReply) reply = dc_http (base, "POST", path, body);

  if (reply->status != 200)
    g_error ("POST %s: %u %s", path, reply->status, reply->body);
}

typedef struct
{
  DcTestServer *server;
  gint64        written;
  gint64        dropped;
  gboolean      congested;
  char         *error;
  double        value;     /* m/t/i0's live value */
  char         *log;
} Probe;

static void
probe_read (Probe *p)
{
  g_autoptr(JsonNode) status = get_json (p->server->base, "/api/v1/status");
  g_autoptr(JsonNode) values = get_json (p->server->base, "/api/v1/values?device_id=m");
  JsonObject *history = json_object_get_object_member (json_node_get_object (status), "history");
  JsonObject *backlog = json_object_get_object_member (json_node_get_object (status), "backlog");
  JsonArray *array = json_node_get_array (values);

  p->written = json_object_get_int_member (history, "written");
  p->dropped = json_object_get_int_member_with_default (history, "dropped", -1);
  p->congested = json_object_get_boolean_member (backlog, "congested");
  g_free (p->error);
  p->error = g_strdup (json_object_get_string_member_with_default (history, "error", NULL));
  p->value = -1;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (o, "item_id"), "i0"))
        p->value = json_object_get_double_member (o, "value");
    }
  g_free (p->log);
  p->log = dc_test_server_dup_log (p->server);
}

static gboolean
has_error (gpointer data)
{
  Probe *p = data;

  probe_read (p);
  return p->error != NULL;
}

static gboolean
writes_again (gpointer data)
{
  Probe *p = data;
  gint64 before = p->written;

  probe_read (p);
  return p->error == NULL && p->written > before;
}

typedef struct
{
  Probe  *probe;
  double  above;
  guint   times;
} Moving;

/* The live value moved up @times times. */
static gboolean
live_moves (gpointer data)
{
  Moving *m = data;

  probe_read (m->probe);
  if (m->probe->value > m->above)
    {
      m->above = m->probe->value;
      m->times--;
    }
  return m->times == 0;
}

static gboolean
drops (gpointer data)
{
  Probe *p = data;

  probe_read (p);
  return p->dropped > 0;
}

static guint
count_lines (const char *log,
             const char *needle)
{
  guint n = 0;

  for (const char *at = strstr (log, needle); at != NULL; at = strstr (at + 1, needle))
    n++;
  return n;
}

/* Fills the file system of @path up: writes until ENOSPC. */
static void
fill (const char *path)
{
  static const char block[64 * 1024];
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  g_assert_cmpint (fd, >=, 0);
  for (;;)
    {
      ssize_t n = write (fd, block, sizeof block);

      if (n < 0)
        {
          g_assert_cmpint (errno, ==, ENOSPC);
          break;
        }
    }
  /* The last partial blocks too. */
  while (write (fd, block, 512) > 0)
    ;
  close (fd);
}

static sqlite3 *
open_db (const char *path)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    g_error ("cannot open %s: %s", path, sqlite3_errmsg (db));
  return db;
}

static void
assert_integrity (const char *path)
{
  sqlite3 *db = open_db (path);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Every 10 s rollup row counts the samples of its period: none that were dropped. */
static void
assert_rollups_match (const char *path)
{
  sqlite3 *db = open_db (path);
  sqlite3_stmt *stmt = NULL;
  guint rows = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT r.key, r.time, r.count, "
                                           "(SELECT count(*) FROM samples s WHERE s.key = r.key"
                                           " AND s.time >= r.time AND s.time < r.time + ?) "
                                           "FROM rollup r WHERE r.level = 0", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, 10 * G_USEC_PER_SEC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      rows++;
      if (sqlite3_column_int64 (stmt, 2) != sqlite3_column_int64 (stmt, 3))
        g_error ("rollup of key %" G_GINT64_FORMAT " at %" G_GINT64_FORMAT " counts %"
                 G_GINT64_FORMAT " samples, the file has %" G_GINT64_FORMAT,
                 (gint64) sqlite3_column_int64 (stmt, 0), (gint64) sqlite3_column_int64 (stmt, 1),
                 (gint64) sqlite3_column_int64 (stmt, 2), (gint64) sqlite3_column_int64 (stmt, 3));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (rows, >, 0);
}

static void
test_history_disk_full (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *small = NULL;
  g_autofree char *db = NULL;
  g_autofree char *history = NULL;
  g_autofree char *filler = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *device = NULL;
  g_autoptr(GString) points = g_string_new ("[");
  DcTestSim *sim;
  Probe p = { 0 };
  Moving moving = { &p, -1, 3 };

  if (namespace_error != NULL)
    g_error ("no mount namespace for the tmpfs: %s", namespace_error);

  dir = dc_test_make_dir ();
  small = g_build_filename (dir, "small", NULL);
  db = g_build_filename (dir, "plant.db", NULL);
  history = g_build_filename (small, "plant-history.db", NULL);
  filler = g_build_filename (small, "filler", NULL);
  conf = g_build_filename (dir, "datacoll.conf", NULL);
  g_assert_cmpint (g_mkdir (small, 0700), ==, 0);
  if (mount ("tmpfs", small, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0700") != 0)
    g_error ("mount -t tmpfs: %s", g_strerror (errno));
  /* A small backlog (1 MiB): the writer holds 16,384 samples while it cannot write. */
  g_assert_true (write_file (conf, "[history]\nbacklog_mb = 1\n"));

  sim = dc_test_sim_spawn ("--port", "0", "--registers", "200", NULL);
  {
    const char *args[] = { "--server", "--port", "0", "--config", conf, "--db", db,
                           "--history-db", history, NULL };

    p.server = dc_test_server_start (args);
  }
  device = g_strdup_printf ("{\"id\":\"m\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\","
                            "\"port\":%u,\"poll_ms\":10}", sim->ports[0]);
  post_ok (p.server->base, "/api/v1/devices", device);
  post_ok (p.server->base, "/api/v1/terms", "{\"id\":\"t\",\"device_id\":\"m\"}");
  for (guint n = 0; n < N_POINTS; n++)
    {
      g_autofree char *item = g_strdup_printf ("{\"id\":\"i%u\"}", n);

      post_ok (p.server->base, "/api/v1/items", item);
      g_string_append_printf (points, "%s{\"device_id\":\"m\",\"term_id\":\"t\","
                              "\"item_id\":\"i%u\",\"protocol_code\":\"%u\","
                              "\"code_type\":\"hr:u16\",\"history\":\"all\"}",
                              n > 0 ? "," : "", n, n);
    }
  g_string_append (points, "]");
  post_ok (p.server->base, "/api/v2/term_items", points->str);
  DC_TEST_WAIT_UNTIL ((probe_read (&p), p.written >= 20000), 30);
  g_assert_null (p.error);

  /* The disk fills up. */
  fill (filler);
  g_assert_true (dc_test_wait_for (NULL, has_error, &p, 20));
  g_test_message ("status: %s", p.error);
  g_assert_nonnull (strstr (p.error, "full"));
  g_assert_nonnull (strstr (p.error, history));

  /* Acquisition goes on: the live value moves, nothing is congested, and what the writer
   * cannot hold is dropped and counted. */
  g_assert_true (dc_test_wait_for (NULL, live_moves, &moving, 10));
  g_assert_true (dc_test_wait_for (NULL, drops, &p, 30));
  g_assert_false (p.congested);
  moving.times = 3;
  g_assert_true (dc_test_wait_for (NULL, live_moves, &moving, 10));
  g_assert_false (p.congested);
  g_assert_nonnull (p.error);
  /* Said once in the log, not once per transaction. */
  g_test_message ("log while full: %s", p.log);
  g_assert_cmpuint (count_lines (p.log, "cannot write"), ==, 1);
  g_assert_cmpuint (count_lines (p.log, "CRITICAL"), ==, 0);
  assert_integrity (history);

  /* Space returns: the writer goes on by itself. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  g_assert_true (dc_test_wait_for (NULL, writes_again, &p, 20));
  g_assert_true (dc_test_wait_for (NULL, writes_again, &p, 20));
  g_assert_cmpuint (count_lines (p.log, "writing"), >=, 1);
  g_assert_nonnull (strstr (p.log, "again"));

  dc_test_server_stop (p.server);
  dc_test_sim_kill (sim);
  assert_integrity (history);
  assert_rollups_match (history);
  g_free (p.error);
  g_free (p.log);
  umount (small);
}

int
main (int   argc,
      char *argv[])
{
  enter_mount_namespace ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/reliability/full-disk/history", test_history_disk_full);

  return g_test_run ();
}
