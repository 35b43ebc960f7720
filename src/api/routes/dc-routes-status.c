/* dc-routes-status.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api-status"

#include "config.h"

#include "dc-routes.h"

#include "dc-api-private.h"
#include "dc-status-section.h"

/* GET /api/v1/status: the ingest counters from socket to row and the backlog between the
 * drivers and the history file (docs/history.md, "Counters from socket to row"). */

#define U64(out, name, v) g_string_append_printf (out, "\"" name "\":%" G_GUINT64_FORMAT, (guint64) (v))

static void
status_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  DcEngine *engine = user_data;
  DcHistory *history = dc_engine_get_history (engine);
  GString *json = g_string_sized_new (512);
  DcEngineStats st;

  dc_engine_get_stats (engine, &st);
  g_string_append (json, "{\"ingest\":{");
  U64 (json, "received", st.received);
  g_string_append_c (json, ',');
  U64 (json, "accepted", st.accepted);
  g_string_append_c (json, ',');
  U64 (json, "unknown", st.unknown);
  g_string_append_c (json, ',');
  U64 (json, "late", st.late);
  g_string_append_c (json, ',');
  U64 (json, "future", st.future);
  g_string_append_c (json, ',');
  U64 (json, "restamped", st.restamped);
  g_string_append_c (json, ',');
  U64 (json, "not_stored", st.not_stored);
  g_string_append_c (json, ',');
  U64 (json, "stored", st.stored);
  g_string_append (json, "},\"backlog\":{");
  U64 (json, "samples", st.backlog);
  g_string_append_c (json, ',');
  U64 (json, "bytes", st.backlog_bytes);
  g_string_append_c (json, ',');
  U64 (json, "limit", st.backlog_limit);
  g_string_append_printf (json, ",\"congested\":%s}",
                          dc_engine_is_congested (engine) ? "true" : "false");
  g_string_append (json, ",\"history\":");
  if (history == NULL)
    g_string_append (json, "null");
  else
    {
      DcHistoryStats h;

      dc_history_get_stats (history, &h);
      g_string_append_c (json, '{');
      U64 (json, "accepted", h.accepted);
      g_string_append_c (json, ',');
      U64 (json, "refused", h.refused);
      g_string_append_c (json, ',');
      U64 (json, "queued", h.queued);
      g_string_append_c (json, ',');
      U64 (json, "transaction", h.transaction);
      g_string_append_c (json, ',');
      U64 (json, "max_queued", h.max_queued);
      g_string_append_c (json, ',');
      U64 (json, "queue_limit", h.capacity);
      g_string_append_c (json, ',');
      U64 (json, "written", h.written);
      g_string_append_c (json, ',');
      U64 (json, "replaced", h.replaced);
      g_string_append_c (json, ',');
      U64 (json, "batches", h.batches);
      g_string_append_c (json, ',');
      U64 (json, "purged", h.purged);
      g_string_append_c (json, ',');
      U64 (json, "jobs", h.jobs);
      g_string_append_c (json, ',');
      U64 (json, "dropped", h.dropped);
      /* Why the file cannot be written (a full disk), null while it can. */
      g_string_append (json, ",\"error\":");
      {
        g_autofree char *error = dc_history_dup_error (history);

        if (error != NULL)
          dc_json_append_string (json, error);
        else
          g_string_append (json, "null");
      }
      g_string_append_c (json, '}');
    }
  /* The Sparkplug B edge node, when it runs (docs/sparkplug.md, "Status"). */
  {
    g_autoptr(JsonNode) sparkplug = dc_status_section_get ("sparkplug");
    g_autofree char *text = sparkplug != NULL ? json_to_string (sparkplug, FALSE) : NULL;

    g_string_append_printf (json, ",\"sparkplug\":%s", text != NULL ? text : "null");
  }
  g_string_append_c (json, '}');
  dc_api_reply_gstring (msg, json);
}

void
dc_api_add_status_route (DcServer *server,
                         DcEngine *engine)
{
  g_return_if_fail (DC_IS_SERVER (server));
  g_return_if_fail (DC_IS_ENGINE (engine));

  /* The engine lives as long as the server. */
  g_object_set_data_full (G_OBJECT (server), "dc-api-status", g_object_ref (engine),
                          g_object_unref);
  dc_server_add_route (server, "GET", "/api/v1/status", status_cb, engine);
}
