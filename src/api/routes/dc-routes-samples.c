/* dc-routes-samples.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api-samples"

#include "config.h"

#include "dc-routes.h"

#include <time.h>

#include "dc-api-private.h"
#include "dc-time.h"

/* Samples (history) of docs/rest.md: `datas` and `datas/{index}`. History queries run in
 * DcHistory's reader threads; the message is paused meanwhile. Live values, reads and
 * controls are in dc-routes-controls.c. */

#define DEFAULT_BUCKET_WINDOW ((gint64) 86400 * G_USEC_PER_SEC)

typedef struct
{
  DcEngine *engine;
  gint64    max_samples;
} Routes;

typedef struct
{
  SoupServerMessage *msg;
  DcHistory         *history;
} Pending;

static Pending *
pending_new (SoupServerMessage *msg,
             DcHistory         *history)
{
  Pending *p = g_new0 (Pending, 1);

  p->msg = g_object_ref (msg);
  p->history = g_object_ref (history);
  soup_server_message_pause (msg);
  return p;
}

static void
pending_finish (Pending *p)
{
  soup_server_message_unpause (p->msg);
  g_object_unref (p->msg);
  g_object_unref (p->history);
  g_free (p);
}

/* dc_time_format() into @out, quoted, without allocating: answers of 100,000 samples are
 * serialised in a worker thread, and this keeps that short. */
static void
append_time (GString *out,
             gint64   time_us)
{
  gint64 secs = time_us / G_USEC_PER_SEC;
  gint64 usec = time_us % G_USEC_PER_SEC;
  time_t t;
  struct tm tm;

  if (usec < 0)
    {
      usec += G_USEC_PER_SEC;
      secs -= 1;
    }
  t = (time_t) secs;
  if (gmtime_r (&t, &tm) == NULL || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
    {
      g_autofree char *text = dc_time_format (time_us);

      dc_json_append_string (out, text);
      return;
    }
  g_string_append_printf (out, "\"%04d-%02d-%02dT%02d:%02d:%02d.%06dZ\"",
                          tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec, (int) usec);
}

static void
append_sample_json (GString        *out,
                    const DcSample *s)
{
  append_time (out, s->time);
  g_string_append_c (out, ':');
  dc_json_append_double (out, s->value);
}

static void
string_free_all (GString *string)
{
  g_string_free (string, TRUE);
}

/* The point key of the path, or 0 when the point does not exist or its term is on another
 * device. */
static gint64
lookup_key (Routes     *routes,
            GHashTable *params)
{
  DcStore *store = dc_engine_get_store (routes->engine);
  const char *device_id = g_hash_table_lookup (params, "device_id");
  gint64 key = dc_store_get_point_key (store, g_hash_table_lookup (params, "term_id"),
                                       g_hash_table_lookup (params, "item_id"));
  const DcPointInfo *info;

  if (key == 0)
    return 0;
  info = dc_engine_get_point (routes->engine, key);
  if (info == NULL || g_strcmp0 (info->device_id, device_id) != 0)
    return 0;
  return key;
}

/* datas */

typedef enum
{
  FORMAT_JSON,
  FORMAT_CSV,
} Format;

typedef struct
{
  Pending  *pending;
  GArray   *samples;
  gboolean  truncated;
} Serialise;

static void
serialise_free (Serialise *ser)
{
  g_clear_pointer (&ser->samples, g_array_unref);
  g_free (ser);
}

static void
serialise_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Serialise *ser = task_data;
  GString *json = g_string_sized_new (16 + ser->samples->len * 40);

  g_string_append_c (json, '{');
  for (guint i = 0; i < ser->samples->len; i++)
    {
      if (i > 0)
        g_string_append_c (json, ',');
      append_sample_json (json, &g_array_index (ser->samples, DcSample, i));
    }
  g_string_append_c (json, '}');
  g_task_return_pointer (task, json, (GDestroyNotify) string_free_all);
}

static void
serialised_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Serialise *ser = g_task_get_task_data (G_TASK (result));
  Pending *p = ser->pending;
  GString *json = g_task_propagate_pointer (G_TASK (result), NULL);

  dc_api_reply_gstring (p->msg, json);
  if (ser->truncated)
    soup_message_headers_replace (soup_server_message_get_response_headers (p->msg),
                                  "X-DataColl-Truncated", "true");
  pending_finish (p);
}

static void
samples_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pending *p = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  Serialise *ser;

  ser = g_new0 (Serialise, 1);
  ser->pending = p;
  ser->samples = dc_history_query_samples_finish (p->history, result, &ser->truncated, &error);
  if (ser->samples == NULL)
    {
      serialise_free (ser);
      dc_server_reply_error (p->msg, error);
      pending_finish (p);
      return;
    }

  /* Up to --max-samples samples: format them off the main thread. */
  task = g_task_new (NULL, NULL, serialised_cb, NULL);
  g_task_set_source_tag (task, samples_done_cb);
  g_task_set_task_data (task, ser, (GDestroyNotify) serialise_free);
  g_task_run_in_thread (task, serialise_thread);
}

static void
csv_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Pending *p = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) csv = NULL;
  gboolean truncated = FALSE;

  csv = dc_history_query_csv_finish (p->history, result, &truncated, &error);
  if (csv == NULL)
    dc_server_reply_error (p->msg, error);
  else
    {
      soup_server_message_set_status (p->msg, 200, NULL);
      soup_server_message_set_response (p->msg, "text/csv; charset=utf-8", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (csv, NULL), g_bytes_get_size (csv));
      if (truncated)
        soup_message_headers_replace (soup_server_message_get_response_headers (p->msg),
                                      "X-DataColl-Truncated", "true");
    }
  pending_finish (p);
}

static void
buckets_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pending *p = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) buckets = NULL;
  GString *json;

  buckets = dc_history_query_buckets_finish (p->history, result, &error);
  if (buckets == NULL)
    {
      dc_server_reply_error (p->msg, error);
      pending_finish (p);
      return;
    }

  json = g_string_sized_new (16 + buckets->len * 160);
  g_string_append_c (json, '[');
  for (guint i = 0; i < buckets->len; i++)
    {
      const DcBucket *b = &g_array_index (buckets, DcBucket, i);
      if (i > 0)
        g_string_append_c (json, ',');
      g_string_append (json, "{\"time\":");
      append_time (json, b->time);
      g_string_append (json, ",\"min\":");
      dc_json_append_double (json, b->min);
      g_string_append (json, ",\"max\":");
      dc_json_append_double (json, b->max);
      g_string_append (json, ",\"first\":");
      dc_json_append_double (json, b->first);
      g_string_append (json, ",\"last\":");
      dc_json_append_double (json, b->last);
      g_string_append (json, ",\"avg\":");
      dc_json_append_double (json, b->avg);
      g_string_append_printf (json, ",\"count\":%" G_GINT64_FORMAT "}", b->count);
    }
  g_string_append_c (json, ']');
  dc_api_reply_gstring (p->msg, json);
  pending_finish (p);
}

static gboolean
parse_int_param (GHashTable  *query,
                 const char  *name,
                 gint64       min,
                 gint64       max,
                 gint64      *out,
                 GError     **error)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;
  gint64 value;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_signed (text, 10, min, max, &value, NULL))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "parameter %s must be an integer between %" G_GINT64_FORMAT " and %"
                   G_GINT64_FORMAT, name, min, max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static void
datas_cb (DcServer          *server,
          SoupServerMessage *msg,
          GHashTable        *params,
          JsonNode          *body,
          gpointer           user_data)
{
  Routes *routes = user_data;
  DcHistory *history = dc_engine_get_history (routes->engine);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query_text = g_uri_get_query (uri);
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(GError) error = NULL;
  gint64 from = G_MININT64, to = G_MAXINT64;
  gint64 limit = routes->max_samples, buckets = 0;
  gboolean has_from, has_to;
  const char *format_text;
  Format format = FORMAT_JSON;
  gint64 key;

  if (query_text != NULL)
    {
      query = g_uri_parse_params (query_text, -1, "&", G_URI_PARAMS_NONE, &error);
      if (query == NULL)
        {
          dc_server_reply_text (msg, 400, "invalid query string");
          return;
        }
    }

  if (!dc_time_parse_param (query, "from", FALSE, &from, &error) ||
      !dc_time_parse_param (query, "to", FALSE, &to, &error) ||
      !parse_int_param (query, "limit", 1, G_MAXINT32, &limit, &error) ||
      !parse_int_param (query, "buckets", 1, DC_HISTORY_MAX_BUCKETS, &buckets, &error))
    {
      dc_server_reply_error (msg, error);
      return;
    }
  format_text = query != NULL ? g_hash_table_lookup (query, "format") : NULL;
  if (format_text != NULL && g_str_equal (format_text, "csv"))
    format = FORMAT_CSV;
  else if (format_text != NULL && !g_str_equal (format_text, "json"))
    {
      dc_server_reply_text (msg, 400, "parameter format must be json or csv");
      return;
    }
  has_from = query != NULL && g_hash_table_contains (query, "from");
  has_to = query != NULL && g_hash_table_contains (query, "to");
  if (has_from && has_to && from >= to)
    {
      dc_server_reply_text (msg, 400, "parameter from must be before to");
      return;
    }
  /* --max-samples caps every answer; a larger limit is cut (and flagged). */
  if (limit > routes->max_samples)
    limit = routes->max_samples;

  key = lookup_key (routes, params);
  if (key == 0 || history == NULL)
    {
      if (buckets > 0)
        dc_server_reply_json_take (msg, 200, g_strdup ("[]"), 2);
      else if (format == FORMAT_CSV)
        {
          soup_server_message_set_status (msg, 200, NULL);
          soup_server_message_set_response (msg, "text/csv; charset=utf-8", SOUP_MEMORY_STATIC,
                                            "time,value,quality\n", 19);
        }
      else
        dc_server_reply_json_take (msg, 200, g_strdup ("{}"), 2);
      return;
    }

  if (buckets > 0)
    {
      if (!has_to)
        to = has_from && from < G_MAXINT64 - DEFAULT_BUCKET_WINDOW
             ? MIN (from + DEFAULT_BUCKET_WINDOW, g_get_real_time () + 1)
             : g_get_real_time () + 1;
      if (!has_from)
        from = to - DEFAULT_BUCKET_WINDOW;
      if (from >= to)
        to = from + DEFAULT_BUCKET_WINDOW;
      dc_history_query_buckets_async (history, key, from, to, (guint) buckets, NULL,
                                      buckets_done_cb, pending_new (msg, history));
    }
  else if (format == FORMAT_CSV)
    dc_history_query_csv_async (history, key, from, to, (guint) limit, NULL, csv_done_cb,
                                pending_new (msg, history));
  else
    dc_history_query_samples_async (history, key, from, to, (guint) limit, NULL,
                                    samples_done_cb, pending_new (msg, history));
}

static void
index_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Pending *p = user_data;
  g_autoptr(GError) error = NULL;
  DcSample sample;

  if (!dc_history_query_index_finish (p->history, result, &sample, &error))
    dc_server_reply_error (p->msg, error);
  else
    {
      GString *json = g_string_new ("{");

      append_sample_json (json, &sample);
      g_string_append_c (json, '}');
      dc_api_reply_gstring (p->msg, json);
    }
  pending_finish (p);
}

static void
datas_index_cb (DcServer          *server,
                SoupServerMessage *msg,
                GHashTable        *params,
                JsonNode          *body,
                gpointer           user_data)
{
  Routes *routes = user_data;
  DcHistory *history = dc_engine_get_history (routes->engine);
  const char *text = g_hash_table_lookup (params, "index");
  gint64 index, key;

  if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &index, NULL))
    {
      g_autofree char *reason = g_strdup_printf ("index must be an integer, not %s", text);

      dc_server_reply_text (msg, 400, reason);
      return;
    }

  key = lookup_key (routes, params);
  if (key == 0 || history == NULL)
    {
      dc_server_reply_text (msg, 404, "index out of range!");
      return;
    }
  dc_history_query_index_async (history, key, index, NULL, index_done_cb,
                                pending_new (msg, history));
}

static void
routes_free (Routes *routes)
{
  g_object_unref (routes->engine);
  g_free (routes);
}

void
dc_api_add_sample_routes (DcServer *server,
                          DcEngine *engine,
                          gint64    max_samples)
{
  Routes *routes;

  g_return_if_fail (DC_IS_SERVER (server));
  g_return_if_fail (DC_IS_ENGINE (engine));
  g_return_if_fail (max_samples > 0);

  routes = g_new0 (Routes, 1);
  routes->engine = g_object_ref (engine);
  routes->max_samples = MIN (max_samples, G_MAXINT32);
  g_object_set_data_full (G_OBJECT (server), "dc-api-samples", routes,
                          (GDestroyNotify) routes_free);

  dc_server_add_route (server, "GET",
                       "/api/v1/devices/{device_id}/terms/{term_id}/items/{item_id}/datas",
                       datas_cb, routes);
  dc_server_add_route (server, "GET",
                       "/api/v1/devices/{device_id}/terms/{term_id}/items/{item_id}/datas/{index}",
                       datas_index_cb, routes);
}
