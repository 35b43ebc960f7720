/* test-crash-consistency.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * kill -9 of `datacoll --server` at random moments of a 100,000 values/s ingest, ten times
 * (docs/history.md "Crash consistency"). The ingest: ten modbus_tcp devices polling 100 holding
 * registers each every 10 ms from datacoll-sim, every sample stored (history `all`). The
 * simulator increments each register when it is read, so every point's history must be
 * consecutive integers: a step of one inside a run, and at a crash a jump by the values that
 * were read but not committed (counted: that is the loss). After every kill: `PRAGMA
 * integrity_check` is ok on every database of the folder (configuration, history, alarms, audit
 * and any other companion), the configuration is the same as before the first kill, everything
 * the server had reported written is there, the alarm journal and the audit log still hold the
 * rows of the first run unchanged, and the alarm raised in the first run is still the same
 * alarm (id and time) when the server comes back.
 *
 * The loss of each kill is at most the batch in flight at the kill (docs/history.md "Batch in
 * flight"): what the server had in memory at its last status answer (the writer's transaction
 * and what was accepted since it began, and the engine's backlog and sink) plus what could be
 * read between that answer and the kill — the polls on the wire, one per device, and one poll
 * per device and 10 ms from the status request to the kill, timed here (no sleep: the status is
 * read in a loop and the kill follows the last answer).
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "dc-sample.h"
#include "dc-test-http.h"
#include "dc-test-server.h"
#include "dc-test-sim.h"
#include "dc-test-wait.h"

#define N_DEVICES 10
#define N_POINTS  100   /* per device */
#define N_KILLS   10
#define POLL_US   10000 /* the devices' poll_ms */

typedef struct
{
  gint64  start;       /* wall clock before the server started */
  guint64 stored;      /* the last status before the kill: samples handed to the writer */
  guint64 written;     /* … and committed by it */
  guint64 in_memory;   /* … and in memory (the batch in flight, the engine's backlog and sink) */
  guint64 transaction; /* … of which the writer's transaction being written */
  guint64 max_queued;  /* the largest batch in flight the writer had seen */
  gint64  delta;       /* µs from the last status request to the kill */
  gint64  rows;        /* rows in the file after the kill */
} Run;

typedef struct
{
  char        *dir;
  char        *db;
  char        *history;
  char        *alarms;
  char        *audit;
  DcTestSim   *sim;
  char        *config_dump;
  gint64       alarm_id;
  char        *alarm_since;
  gint64       journal_rows;
  char        *journal_dump;   /* the journal rows of the first run */
  gint64       audit_rows;
  char        *audit_dump;     /* the audit rows of the first run */
} Fixture;

static JsonNode *
get_json (const char *base,
          const char *path)
{
  g_autoptr(DcReply) reply = dc_http (base, "GET", path, NULL);
  g_autoptr(GError) error = NULL;

  if (reply->status != 200)
    g_error ("GET %s: %u %s", path, reply->status, reply->body);
  return json_from_string (reply->body, &error);
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

/* The plant: devices m0…m9 on the simulator, term t<d> (unit 1), items i0…i99, point
 * t<d>/i<n> at register d * 100 + n, history `all`; i0 of m0 has an upper limit of 0, which
 * its value always exceeds: one active alarm. */
static void
create_plant (const char *base,
              guint16     port)
{
  g_autoptr(GString) points = g_string_new ("[");

  for (guint d = 0; d < N_DEVICES; d++)
    {
      g_autofree char *device = g_strdup_printf ("{\"id\":\"m%u\",\"protocol\":\"modbus_tcp\","
                                                 "\"ip\":\"127.0.0.1\",\"port\":%u,"
                                                 "\"poll_ms\":10,\"timeout_ms\":1000}", d, port);
      g_autofree char *term = g_strdup_printf ("{\"id\":\"t%u\",\"device_id\":\"m%u\","
                                               "\"address\":1}", d, d);

      post_ok (base, "/api/v1/devices", device);
      post_ok (base, "/api/v1/terms", term);
    }
  for (guint n = 0; n < N_POINTS; n++)
    {
      g_autofree char *item = g_strdup_printf ("{\"id\":\"i%u\"}", n);

      post_ok (base, "/api/v1/items", item);
    }
  for (guint d = 0; d < N_DEVICES; d++)
    for (guint n = 0; n < N_POINTS; n++)
      g_string_append_printf (points, "%s{\"device_id\":\"m%u\",\"term_id\":\"t%u\","
                              "\"item_id\":\"i%u\",\"protocol_code\":\"%u\","
                              "\"code_type\":\"hr:u16\",\"history\":\"all\"%s}",
                              points->len > 1 ? "," : "", d, d, n, d * N_POINTS + n,
                              d == 0 && n == 0 ? ",\"up_limit\":0" : "");
  g_string_append (points, "]");
  post_ok (base, "/api/v2/term_items", points->str);
}

typedef struct
{
  const char *base;
  gint64      sent;         /* monotonic time the request was sent */
  guint64     stored;
  guint64     written;
  guint64     in_memory;
  guint64     queued;
  guint64     transaction;
  guint64     max_queued;
  guint64     queue_limit;
} Status;

static void
read_status (Status *st)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *root, *ingest, *backlog, *history;

  st->sent = g_get_monotonic_time ();
  node = get_json (st->base, "/api/v1/status");
  root = json_node_get_object (node);
  ingest = json_object_get_object_member (root, "ingest");
  backlog = json_object_get_object_member (root, "backlog");
  history = json_object_get_object_member (root, "history");
  st->stored = json_object_get_int_member (ingest, "stored");
  st->written = json_object_get_int_member (history, "written");
  st->queued = json_object_get_int_member (history, "queued");
  st->transaction = json_object_get_int_member (history, "transaction");
  st->max_queued = json_object_get_int_member (history, "max_queued");
  st->queue_limit = json_object_get_int_member (history, "queue_limit");
  /* Everything between the drivers and the file: the sink's queue, the engine's backlog and
   * the writer's batch in flight. */
  st->in_memory = json_object_get_int_member (backlog, "bytes") / sizeof (DcSample);
  g_assert_cmpuint (st->in_memory, >=, st->queued);
  g_assert_cmpuint (st->transaction, <=, st->queued);
  /* The writer's bound: never more in flight than its queue limit. */
  g_assert_cmpuint (st->max_queued, <=, st->queue_limit);
}

/* Values flow: @data's server stored at least 5,000 samples and committed some. */
static gboolean
ingest_flows (gpointer data)
{
  Status *st = data;

  read_status (st);
  return st->stored >= 5000 && st->written >= N_DEVICES * N_POINTS;
}

/* The alarm of m0/t0/i0: its id and the time it became active. */
static void
find_alarm (const char  *base,
            gint64      *id,
            char       **since)
{
  g_autoptr(JsonNode) node = get_json (base, "/api/v1/alarms");
  JsonArray *alarms = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (alarms); i++)
    {
      JsonObject *a = json_array_get_object_element (alarms, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (a, "item_id", ""), "i0") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (a, "device_id", ""), "m0") == 0)
        {
          *id = json_object_get_int_member (a, "id");
          *since = g_strdup (json_object_get_string_member (a, "active_since"));
          return;
        }
    }
  g_error ("the alarm of m0/t0/i0 is gone: %s", json_to_string (node, FALSE));
}

static sqlite3 *
open_db (const char *path)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    g_error ("cannot open %s: %s", path, sqlite3_errmsg (db));
  return db;
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

/* The rows @sql selects, as text (columns separated by |, rows by newlines). */
static char *
dump_rows (const char *path,
           const char *sql)
{
  sqlite3 *db = open_db (path);
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        g_string_append_printf (out, "%s%s", c > 0 ? "|" : "",
                                (const char *) sqlite3_column_text (stmt, c));
      g_string_append_c (out, '\n');
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

#define JOURNAL_SQL "SELECT * FROM journal ORDER BY seq LIMIT "
#define AUDIT_SQL   "SELECT * FROM audit ORDER BY id LIMIT "

/* The alarm journal and the audit log still hold the rows of the first run, unchanged. */
static void
check_journals (Fixture *f)
{
  g_autofree char *journal_sql = g_strdup_printf (JOURNAL_SQL "%" G_GINT64_FORMAT,
                                                  f->journal_rows);
  g_autofree char *audit_sql = g_strdup_printf (AUDIT_SQL "%" G_GINT64_FORMAT, f->audit_rows);
  g_autofree char *journal = dump_rows (f->alarms, journal_sql);
  g_autofree char *audit = dump_rows (f->audit, audit_sql);

  g_assert_cmpstr (journal, ==, f->journal_dump);
  g_assert_cmpstr (audit, ==, f->audit_dump);
}

/* PRAGMA integrity_check on every database of the folder. */
static void
check_integrity (Fixture *f)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;
  guint n = 0;

  /* Configuration, history, alarms and audit at least. */
  g_assert_true (g_file_test (f->db, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (f->history, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (f->alarms, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (f->audit, G_FILE_TEST_EXISTS));

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      sqlite3 *db;
      sqlite3_stmt *stmt = NULL;

      if (!g_str_has_suffix (name, ".db"))
        continue;
      path = g_build_filename (f->dir, name, NULL);
      db = open_db (path);
      g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                       SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
        g_error ("%s: integrity_check: %s", name, sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
      sqlite3_close (db);
      n++;
    }
  g_assert_cmpuint (n, >=, 4);
}

/* The configuration database as SQL text (sqlite3's own .dump). */
static char *
dump_config (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) sqlite = NULL;
  char *out = NULL;

  sqlite = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "sqlite3", f->db, ".dump",
                             NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (sqlite, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (sqlite));
  g_assert_nonnull (strstr (out, "CREATE TABLE points"));
  return out;
}

/* The history, point by point in time order: consecutive values inside a run; at the first row
 * of a run (the first after @runs[r].start) a jump, whose size minus one is the loss of the run
 * before it. A point that has no row of that run (it was killed before it committed one of the
 * point) jumps over it: that loss is the sum of two runs', counted in @spanned. Returns the
 * losses in @lost, by the run before the jump. */
static void
check_history (Fixture   *f,
               const Run *runs,
               guint      n_runs,
               gint64    *lost,
               gint64    *spanned)
{
  sqlite3 *db = open_db (f->history);
  sqlite3_stmt *stmt = NULL;
  gint64 key = -1, n_rows = 0;
  double last = 0;
  guint run = 0;

  memset (lost, 0, n_runs * sizeof *lost);
  *spanned = 0;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT key, time, value, quality FROM samples "
                                           "ORDER BY key, time", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 k = sqlite3_column_int64 (stmt, 0);
      gint64 t = sqlite3_column_int64 (stmt, 1);
      double v = sqlite3_column_double (stmt, 2);
      guint r = 0;

      n_rows++;
      g_assert_cmpint (sqlite3_column_int64 (stmt, 3), ==, 0);
      while (r + 1 < n_runs && t >= runs[r + 1].start)
        r++;
      if (k != key)
        {
          key = k;
          last = v;
          run = r;
          continue;
        }
      if (r == run)
        {
          if (v != last + 1)
            g_error ("key %" G_GINT64_FORMAT ": %g after %g inside run %u: a hole", k, v, last,
                     r);
        }
      else
        {
          if (v <= last)
            g_error ("key %" G_GINT64_FORMAT ": %g after %g across a restart", k, v, last);
          if (run == r - 1)
            lost[r - 1] += (gint64) (v - last - 1);
          else
            *spanned += (gint64) (v - last - 1);
          run = r;
        }
      last = v;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpint (n_rows, >, 0);
}

static gint64
count_rows (const char *path,
            const char *sql)
{
  sqlite3 *db = open_db (path);
  gint64 n = query_int (db, sql);

  sqlite3_close (db);
  return n;
}

static DcTestServer *
server_start (Fixture *f)
{
  const char *args[] = { "--server", "--port", "0", "--db", f->db, NULL };

  return dc_test_server_start (args);
}

/* What a kill can lose beyond the batch in flight the last status reported (see the top of
 * the file): the polls on the wire when it answered (one per device), the polls read from the
 * request to the kill, @delta µs (at most one per device and period, and one more), and the
 * polls the engine had read but not yet handed to the history when the status answered (its
 * backlog: in the ASan build a kill lost 1.3 polls of every device beyond the bound without
 * them; three are allowed). */
static gint64
after_status (gint64 delta)
{
  return (gint64) N_DEVICES * N_POINTS * (delta / POLL_US + 6);
}

static void
test_kill_loop (void)
{
  Fixture fx = { 0 }, *f = &fx;
  Run runs[N_KILLS + 2] = { { 0 } };
  gint64 lost[N_KILLS + 2];
  gint64 t0 = g_get_monotonic_time ();
  gint64 total_lost = 0, total_rows, total_bound = 0, spanned;
  guint64 max_in_flight = 0;
  DcTestServer *server;
  Status st = { 0 };

  f->dir = dc_test_make_dir ();
  f->db = g_build_filename (f->dir, "plant.db", NULL);
  f->history = g_build_filename (f->dir, "plant-history.db", NULL);
  f->alarms = g_build_filename (f->dir, "plant-alarms.db", NULL);
  f->audit = g_build_filename (f->dir, "plant-audit.db", NULL);
  f->sim = dc_test_sim_spawn ("--port", "0", "--registers", "1000", NULL);

  /* Run 0: the plant is created and runs; a clean stop. */
  runs[0].start = g_get_real_time ();
  server = server_start (f);
  st.base = server->base;
  create_plant (server->base, f->sim->ports[0]);
  g_assert_true (dc_test_wait_for (NULL, ingest_flows, &st, 30));
  find_alarm (server->base, &f->alarm_id, &f->alarm_since);
  dc_test_server_stop (server);
  f->config_dump = dump_config (f);
  f->journal_rows = count_rows (f->alarms, "SELECT count(*) FROM journal");
  g_assert_cmpint (f->journal_rows, >, 0);
  f->journal_dump = dump_rows (f->alarms, JOURNAL_SQL "-1");
  /* The plant's creation, the server's start and stop. */
  f->audit_rows = count_rows (f->audit, "SELECT count(*) FROM audit");
  g_assert_cmpint (f->audit_rows, >=, 3);
  f->audit_dump = dump_rows (f->audit, AUDIT_SQL "-1");
  runs[0].rows = count_rows (f->history, "SELECT count(*) FROM samples");

  for (guint k = 1; k <= N_KILLS; k++)
    {
      Run *run = &runs[k];
      gint64 until;
      g_autofree char *since = NULL;
      g_autofree char *dump = NULL;
      gint64 id = 0;

      run->start = g_get_real_time ();
      server = server_start (f);
      st.base = server->base;
      /* The alarm came back from its file, the same one. */
      find_alarm (server->base, &id, &since);
      g_assert_cmpint (id, ==, f->alarm_id);
      g_assert_cmpstr (since, ==, f->alarm_since);
      g_assert_true (dc_test_wait_for (NULL, ingest_flows, &st, 30));

      /* A random moment within the next second, reading the counters until then; the kill
       * follows the last answer at once. */
      until = g_get_monotonic_time () + g_test_rand_int_range (0, 1000) * 1000;
      do
        {
          read_status (&st);
          max_in_flight = MAX (max_in_flight, st.in_memory);
        }
      while (g_get_monotonic_time () < until);
      g_subprocess_force_exit (server->process);
      run->delta = g_get_monotonic_time () - st.sent;
      dc_test_server_kill (server);
      run->stored = st.stored;
      run->written = st.written;
      run->in_memory = st.in_memory;
      run->transaction = st.transaction;
      run->max_queued = st.max_queued;

      check_integrity (f);
      dump = dump_config (f);
      g_assert_cmpstr (dump, ==, f->config_dump);
      check_journals (f);
      run->rows = count_rows (f->history, "SELECT count(*) FROM samples");
      /* Everything reported written before the kill is in the file. */
      g_assert_cmpint (run->rows - runs[k - 1].rows, >=, (gint64) run->written);
    }

  /* A last clean run: its first values close the last crash's count. */
  runs[N_KILLS + 1].start = g_get_real_time ();
  server = server_start (f);
  st.base = server->base;
  g_assert_true (dc_test_wait_for (NULL, ingest_flows, &st, 30));
  {
    g_autofree char *since = NULL;
    gint64 id = 0;

    find_alarm (server->base, &id, &since);
    g_assert_cmpint (id, ==, f->alarm_id);
    g_assert_cmpstr (since, ==, f->alarm_since);
  }
  dc_test_server_stop (server);
  check_integrity (f);
  check_journals (f);

  check_history (f, runs, N_KILLS + 2, lost, &spanned);
  total_rows = count_rows (f->history, "SELECT count(*) FROM samples");
  for (guint k = 1; k <= N_KILLS; k++)
    {
      gint64 bound = (gint64) runs[k].in_memory + after_status (runs[k].delta);

      g_test_message ("kill %2u: rows %7" G_GINT64_FORMAT ", lost %6" G_GINT64_FORMAT
                      "; last status %5.1f ms before the kill: in flight %6" G_GUINT64_FORMAT
                      " (transaction %6" G_GUINT64_FORMAT "), largest so far %6" G_GUINT64_FORMAT
                      "; bound %6" G_GINT64_FORMAT, k, runs[k].rows - runs[k - 1].rows,
                      lost[k], runs[k].delta / 1000.0, runs[k].in_memory, runs[k].transaction,
                      runs[k].max_queued, bound);
      /* What a crash loses is the batch in flight at the kill: what the last status had in
       * memory, and what was read after it. */
      g_assert_cmpint (lost[k], <=, bound);
      total_lost += lost[k];
      total_bound += bound;
    }
  /* A point killed twice before its first commit of a run: the two losses in one jump. */
  total_lost += spanned;
  g_test_message ("the first clean stop lost %" G_GINT64_FORMAT " (polls on the wire)",
                  lost[0]);
  g_test_message ("%d kills in %.1f s: %" G_GINT64_FORMAT " rows, %" G_GINT64_FORMAT
                  " values lost in all (%" G_GINT64_FORMAT " over two runs; bound %"
                  G_GINT64_FORMAT "), largest in flight at a status %" G_GUINT64_FORMAT, N_KILLS,
                  (g_get_monotonic_time () - t0) / 1e6, total_rows, total_lost, spanned,
                  total_bound, max_in_flight);
  g_assert_cmpint (total_lost, <=, total_bound);
  /* A clean stop writes everything it received: at most the polls on the wire are lost. */
  g_assert_cmpint (lost[0], <=, N_DEVICES * N_POINTS);

  dc_test_sim_kill (f->sim);
  g_free (f->config_dump);
  g_free (f->journal_dump);
  g_free (f->audit_dump);
  g_free (f->alarm_since);
  g_free (f->db);
  g_free (f->history);
  g_free (f->alarms);
  g_free (f->audit);
  g_free (f->dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/reliability/crash/kill-loop", test_kill_loop);

  return g_test_run ();
}
