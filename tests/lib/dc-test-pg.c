/* dc-test-pg.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-test-pg"

#include "config.h"

#include "dc-test-pg.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

/* See dc-test-pg.h. The folder holds the data directory, the socket and the log. */

#define PORT 5432

struct _DcTestPg
{
  char  *bindir;
  char  *dir;
  char  *data;
  char  *log;
  guint  n_databases;
  int    watcher_fd;  /* the write end of the watcher's stdin; -1: none */
};

char *
dc_test_pg_bindir (char **reason)
{
  static const char *const candidates[] = {
    "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin",
  };
  const char *env = g_getenv ("DC_TEST_PG_BINDIR");

  if (env != NULL)
    return g_strdup (env);
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *initdb = g_build_filename (candidates[i], "initdb", NULL);

      if (g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
        return g_strdup (candidates[i]);
    }
  if (reason != NULL)
    *reason = g_strdup ("PostgreSQL server binaries (initdb, pg_ctl) not found: install "
                        "postgresql-15 (build-aux/install-deps)");
  return NULL;
}

/* Runs @argv (as postgres when we are root); asserts exit status 0 unless @may_fail. */
static gboolean
run (DcTestPg           *pg,
     gboolean            may_fail,
     const char *const  *argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (geteuid () == 0)
    {
      g_ptr_array_add (args, (gpointer) "runuser");
      g_ptr_array_add (args, (gpointer) "-u");
      g_ptr_array_add (args, (gpointer) "postgres");
      g_ptr_array_add (args, (gpointer) "--");
    }
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);

  if (!g_spawn_sync (pg->dir, (char **) args->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      if (may_fail)
        return FALSE;
      g_error ("%s failed:\n%s%s", argv[0], out, err);
    }
  return TRUE;
}

static char *
bin (DcTestPg   *pg,
     const char *name)
{
  return g_build_filename (pg->bindir, name, NULL);
}

static gboolean
pg_ctl_start (DcTestPg *pg,
              gboolean  may_fail)
{
  g_autofree char *pg_ctl = bin (pg, "pg_ctl");
  g_autofree char *options = g_strdup_printf ("-k %s -p %d -c listen_addresses='' "
                                              "-c fsync=off -c max_connections=60 "
                                              "-c shared_buffers=32MB", pg->dir, PORT);
  const char *argv[] = { pg_ctl, "start", "-w", "-t", "60", "-D", pg->data, "-l", pg->log,
                         "-o", options, NULL };

  return run (pg, may_fail, argv);
}

static void
watcher_setup (gpointer data)
{
  /* Out of the test's process group: meson kills that group on a timeout. */
  setsid ();
}

/* A process that waits for the end of its stdin, which only this process holds open: when the
 * test process ends in any way (a crash or a kill included), it stops the server and removes
 * its folder, so that no server outlives its test. */
static void
start_watcher (DcTestPg *pg)
{
  g_autofree char *pg_ctl = bin (pg, "pg_ctl");
  g_autofree char *script = g_strdup_printf (
    "cat >/dev/null; %s \"%s\" stop -m immediate -D \"%s\" >/dev/null 2>&1; rm -rf \"%s\"",
    geteuid () == 0 ? "runuser -u postgres --" : "", pg_ctl, pg->data, pg->dir);
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  g_autoptr(GError) error = NULL;
  int fd = -1;

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                 G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                 watcher_setup, NULL, NULL, &fd, NULL, NULL, &error))
    g_error ("cannot start the PostgreSQL watcher: %s", error->message);
  pg->watcher_fd = fd;
}

DcTestPg *
dc_test_pg_start (GError **error)
{
  g_autofree char *reason = NULL;
  g_autofree char *initdb = NULL;
  DcTestPg *pg;

  pg = g_new0 (DcTestPg, 1);
  pg->watcher_fd = -1;
  pg->bindir = dc_test_pg_bindir (&reason);
  if (pg->bindir == NULL)
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, reason);
      g_free (pg);
      return NULL;
    }
  /* Not under the isolated test dirs: the server's user must reach its folder. */
  pg->dir = g_dir_make_tmp ("dc-test-pg-XXXXXX", error);
  if (pg->dir == NULL)
    {
      g_free (pg->bindir);
      g_free (pg);
      return NULL;
    }
  if (geteuid () == 0)
    {
      struct passwd *pw = getpwnam ("postgres");

      g_assert_nonnull (pw);
      g_assert_cmpint (chown (pg->dir, pw->pw_uid, pw->pw_gid), ==, 0);
    }
  pg->data = g_build_filename (pg->dir, "data", NULL);
  pg->log = g_build_filename (pg->dir, "log", NULL);
  /* Before the server exists: no moment where it could be left behind. */
  start_watcher (pg);

  initdb = bin (pg, "initdb");
  run (pg, FALSE, (const char *[]) { initdb, "-D", pg->data, "-A", "trust", "-U", "postgres",
                                     "--no-sync", "-E", "UTF8", "--locale=C", NULL });
  pg_ctl_start (pg, FALSE);
  return pg;
}

static DcTestPg *shared;

static void
free_shared (void)
{
  g_clear_pointer (&shared, dc_test_pg_free);
}

DcTestPg *
dc_test_pg_get_shared (void)
{
  g_autofree char *reason = NULL;
  g_autofree char *bindir = NULL;
  g_autoptr(GError) error = NULL;

  if (shared != NULL)
    return shared;
  bindir = dc_test_pg_bindir (&reason);
  if (bindir == NULL)
    {
      g_test_skip (reason);
      return NULL;
    }
  shared = dc_test_pg_start (&error);
  g_assert_no_error (error);
  atexit (free_shared);
  return shared;
}

static char *
url_for (DcTestPg   *pg,
         const char *dbname)
{
  return g_strdup_printf ("postgresql:///%s?host=%s&port=%d&user=postgres", dbname, pg->dir,
                          PORT);
}

char *
dc_test_pg_query (const char *url,
                  const char *sql)
{
  PGconn *conn = PQconnectdb (url);
  PGresult *res;
  char *value;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot connect to %s: %s", url, PQerrorMessage (conn));
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_TUPLES_OK && PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (res));
  value = g_strdup (PQntuples (res) > 0 && PQnfields (res) > 0 ? PQgetvalue (res, 0, 0) : "");
  PQclear (res);
  PQfinish (conn);
  return value;
}

char *
dc_test_pg_new_database (DcTestPg *pg)
{
  g_autofree char *admin = url_for (pg, "postgres");
  g_autofree char *name = g_strdup_printf ("dc_test_%u", ++pg->n_databases);
  /* The name is made here from a counter, never from input. */
  g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s", name);
  g_autofree char *ignored = dc_test_pg_query (admin, sql);

  return url_for (pg, name);
}

static GPid
postmaster_pid (DcTestPg *pg)
{
  g_autofree char *pidfile = g_build_filename (pg->data, "postmaster.pid", NULL);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (pidfile, &text, NULL, NULL))
    return 0;
  return (GPid) g_ascii_strtoll (text, NULL, 10);
}

/* The children of @parent (from /proc). */
static GArray *
children_of (GPid parent)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *close_paren;
      GPid pid = (GPid) g_ascii_strtoll (name, NULL, 10);
      int ppid = 0;

      if (pid <= 0)
        continue;
      path = g_strdup_printf ("/proc/%s/stat", name);
      if (!g_file_get_contents (path, &stat, NULL, NULL) ||
          (close_paren = strrchr (stat, ')')) == NULL ||
          sscanf (close_paren + 1, " %*c %d", &ppid) != 1)
        continue;
      if (ppid == parent)
        g_array_append_val (pids, pid);
    }
  return pids;
}

void
dc_test_pg_kill (DcTestPg *pg)
{
  GPid pid = postmaster_pid (pg);
  g_autoptr(GArray) children = NULL;

  g_assert_cmpint (pid, >, 0);
  children = children_of (pid);
  kill (pid, SIGKILL);
  for (guint i = 0; i < children->len; i++)
    kill (g_array_index (children, GPid, i), SIGKILL);
  /* Gone when kill(0) fails (it is not our child: no waitpid). */
  for (gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
       kill (pid, 0) == 0 && g_get_monotonic_time () < end;)
    g_usleep (10000);
}

void
dc_test_pg_stop (DcTestPg *pg)
{
  g_autofree char *pg_ctl = bin (pg, "pg_ctl");

  run (pg, FALSE, (const char *[]) { pg_ctl, "stop", "-w", "-m", "fast", "-D", pg->data, NULL });
}

void
dc_test_pg_restart (DcTestPg *pg)
{
  /* After a kill, the killed server's processes may still hold its shared memory for a
   * moment: pg_ctl start fails until they are gone. */
  for (gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;;)
    {
      if (pg_ctl_start (pg, TRUE))
        return;
      if (g_get_monotonic_time () > end)
        {
          g_autofree char *log = NULL;

          g_file_get_contents (pg->log, &log, NULL, NULL);
          g_error ("PostgreSQL does not start again:\n%s", log);
        }
      g_usleep (100000);
    }
}

static gboolean
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        rm_rf (child);
      else
        g_unlink (child);
    }
  return g_rmdir (path) == 0;
}

void
dc_test_pg_free (DcTestPg *pg)
{
  g_autofree char *pg_ctl = NULL;

  if (pg == NULL)
    return;
  pg_ctl = bin (pg, "pg_ctl");
  run (pg, TRUE, (const char *[]) { pg_ctl, "stop", "-w", "-m", "immediate", "-D", pg->data,
                                    NULL });
  rm_rf (pg->dir);
  /* The watcher finds the server stopped and the folder gone. */
  if (pg->watcher_fd >= 0)
    close (pg->watcher_fd);
  g_free (pg->bindir);
  g_free (pg->dir);
  g_free (pg->data);
  g_free (pg->log);
  g_free (pg);
}
