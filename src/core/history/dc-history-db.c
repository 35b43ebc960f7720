/* dc-history-db.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include <math.h>

#include "dc-companion.h"
#include "dc-error.h"
#include "dc-history-sqlite-private.h"

/* The history database: its schema, connections with the dc_first()/dc_last() aggregates, the
 * rollup levels and the running aggregate shared by the writer's rollups and the bucket queries.
 * Design notes in docs/history.md. */

const gint64 dc_history_level_period[DC_HISTORY_N_LEVELS] = {
  10 * (gint64) G_USEC_PER_SEC,
  100 * (gint64) G_USEC_PER_SEC,
  1000 * (gint64) G_USEC_PER_SEC,
  10000 * (gint64) G_USEC_PER_SEC,
};

static const char schema_sql[] =
  "PRAGMA journal_mode=WAL;"
  "PRAGMA synchronous=NORMAL;"
  "CREATE TABLE IF NOT EXISTS samples ("
  "  key INTEGER NOT NULL, time INTEGER NOT NULL, value REAL, quality INTEGER NOT NULL,"
  "  PRIMARY KEY (key, time)) WITHOUT ROWID;"
  "CREATE TABLE IF NOT EXISTS rollup ("
  "  key INTEGER NOT NULL, level INTEGER NOT NULL, time INTEGER NOT NULL,"
  "  vmin REAL, vmax REAL, first_time INTEGER NOT NULL, vfirst REAL,"
  "  last_time INTEGER NOT NULL, vlast REAL, vsum REAL NOT NULL, n INTEGER NOT NULL,"
  "  count INTEGER NOT NULL,"
  "  PRIMARY KEY (key, level, time)) WITHOUT ROWID;"
  "CREATE TABLE IF NOT EXISTS purge_keys (key INTEGER PRIMARY KEY);"
  "PRAGMA user_version=1;";

gint64
dc_history_floor (gint64 t,
                  gint64 period)
{
  gint64 r = t % period;

  if (r < 0)
    r += period;
  return t - r;
}

void
dc_history_set_sql_error (GError     **error,
                          sqlite3     *db,
                          const char  *what)
{
  g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "history database: %s: %s",
               what, db ? sqlite3_errmsg (db) : "out of memory");
}

/* dc_first(value, time) / dc_last(value, time): the value at the smallest / largest time. */
typedef struct
{
  gint64 time;
  double value;
  gboolean has;
  gboolean is_null;
} PickCtx;

static void
pick_step (sqlite3_context *ctx,
           sqlite3_value  **argv,
           gboolean         first)
{
  PickCtx *c = sqlite3_aggregate_context (ctx, sizeof *c);
  gint64 t;

  if (c == NULL || sqlite3_value_type (argv[1]) == SQLITE_NULL)
    return;
  t = sqlite3_value_int64 (argv[1]);
  if (!c->has || (first ? t < c->time : t > c->time))
    {
      c->has = TRUE;
      c->time = t;
      c->is_null = sqlite3_value_type (argv[0]) == SQLITE_NULL;
      c->value = sqlite3_value_double (argv[0]);
    }
}

static void
first_step_cb (sqlite3_context *ctx,
               int              argc,
               sqlite3_value  **argv)
{
  pick_step (ctx, argv, TRUE);
}

static void
last_step_cb (sqlite3_context *ctx,
              int              argc,
              sqlite3_value  **argv)
{
  pick_step (ctx, argv, FALSE);
}

static void
pick_final_cb (sqlite3_context *ctx)
{
  PickCtx *c = sqlite3_aggregate_context (ctx, 0);

  if (c == NULL || !c->has || c->is_null)
    sqlite3_result_null (ctx);
  else
    sqlite3_result_double (ctx, c->value);
}

sqlite3 *
dc_history_open_db (const char  *path,
                    gboolean     create,
                    GError     **error)
{
  sqlite3 *db = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

  if (create)
    flags |= SQLITE_OPEN_CREATE;

  if (sqlite3_open_v2 (path, &db, flags, NULL) != SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "cannot open history database %s: %s",
                   path, db ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 10000);
  sqlite3_create_function (db, "dc_first", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                           NULL, first_step_cb, pick_final_cb);
  sqlite3_create_function (db, "dc_last", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                           NULL, last_step_cb, pick_final_cb);

  if (create && sqlite3_exec (db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "cannot open history database %s: %s",
                   path, sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }
  /* The writer's page cache (docs/history.md "Writer"): with many points a transaction
   * touches one leaf page of samples and rollups per point; sqlite's default 2 MiB cache
   * re-read and re-wrote them at every commit (1,000 points: 0.8 page writes and 0.7 page reads
   * per sample; with 32 MiB 0.24 and 0.07). Pages are allocated as they are used. */
  if (create && sqlite3_exec (db, "PRAGMA cache_size=-32768", NULL, NULL, NULL) != SQLITE_OK)
    g_debug ("history: cache_size: %s", sqlite3_errmsg (db));

  return db;
}

char *
dc_history_path_for_config (const char *config_db_path)
{
  g_return_val_if_fail (config_db_path != NULL, NULL);

  return dc_companion_path (config_db_path, "history");
}

void
dc_history_acc_reset (DcHistoryAcc *acc)
{
  acc->min = acc->max = acc->first = acc->last = NAN;
  acc->sum = 0;
  acc->first_time = G_MAXINT64;
  acc->last_time = G_MININT64;
  acc->n = 0;
  acc->count = 0;
}

void
dc_history_acc_add (DcHistoryAcc   *acc,
                    const DcSample *s)
{
  gboolean valid = isfinite (s->value);

  if (valid)
    {
      if (acc->n == 0 || s->value < acc->min)
        acc->min = s->value;
      if (acc->n == 0 || s->value > acc->max)
        acc->max = s->value;
      acc->sum += s->value;
      acc->n++;
    }
  if (s->time < acc->first_time)
    {
      acc->first_time = s->time;
      acc->first = valid ? s->value : NAN;
    }
  if (s->time > acc->last_time)
    {
      acc->last_time = s->time;
      acc->last = valid ? s->value : NAN;
    }
  acc->count++;
}

void
dc_history_acc_merge (DcHistoryAcc       *acc,
                      const DcHistoryAcc *other)
{
  if (other->n > 0)
    {
      if (acc->n == 0 || other->min < acc->min)
        acc->min = other->min;
      if (acc->n == 0 || other->max > acc->max)
        acc->max = other->max;
      acc->sum += other->sum;
      acc->n += other->n;
    }
  if (other->count > 0 && other->first_time < acc->first_time)
    {
      acc->first_time = other->first_time;
      acc->first = other->first;
    }
  if (other->count > 0 && other->last_time > acc->last_time)
    {
      acc->last_time = other->last_time;
      acc->last = other->last;
    }
  acc->count += other->count;
}

void
dc_history_reverse_samples (GArray *samples,
                            guint   start)
{
  for (guint i = start, k = samples->len; i + 1 < k; i++, k--)
    {
      DcSample tmp = g_array_index (samples, DcSample, i);

      g_array_index (samples, DcSample, i) = g_array_index (samples, DcSample, k - 1);
      g_array_index (samples, DcSample, k - 1) = tmp;
    }
}
