/* dc-routes-checks.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-routes.h"

#include "dc-error.h"
#include "dc-formula.h"
#include "dc-templates.h"

/* The dry runs of docs/rest.md: POST /api/v1/formula_check checks a formula against the
 * configuration, POST /api/v1/sql_check runs the database templates against the user database
 * in a thread (the message is paused meanwhile), in a transaction that is rolled back. Every
 * answer is 200 text/plain: "OK" or the reason. */

/* formula_check */

static void
formula_check_cb (DcServer          *server,
                  SoupServerMessage *msg,
                  GHashTable        *params,
                  JsonNode          *body,
                  gpointer           user_data)
{
  g_autofree char *answer = NULL;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    {
      g_autoptr(GError) error = g_error_new_literal (DC_ERROR, DC_ERROR_INVALID,
                                                     "request body must be a JSON object");

      dc_server_reply_error (msg, error);
      return;
    }

  /* Every answer is 200 text/plain: "OK" or the reason (compat). */
  answer = dc_formula_check_text (dc_server_get_store (server), json_node_get_object (body));
  dc_server_reply_text (msg, 200, answer);
}

void
dc_api_add_formula_check_route (DcServer *server)
{
  g_return_if_fail (DC_IS_SERVER (server));
  g_return_if_fail (dc_server_get_store (server) != NULL);

  dc_server_add_route (server, "POST", "/api/v1/formula_check", formula_check_cb, NULL);
}

/* sql_check */

typedef struct
{
  char       *user_db;
  JsonObject *point;
} Check;

static void
check_free (gpointer data)
{
  Check *check = data;

  g_free (check->user_db);
  json_object_unref (check->point);
  g_free (check);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Check *check = task_data;

  g_task_return_pointer (task, dc_templates_check (check->user_db, check->point), g_free);
}

static void
check_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SoupServerMessage) msg = user_data;
  g_autofree char *answer = g_task_propagate_pointer (G_TASK (result), NULL);

  dc_server_reply_text (msg, 200, answer != NULL ? answer : "");
  soup_server_message_unpause (msg);
}

static void
sql_check_cb (DcServer          *server,
              SoupServerMessage *msg,
              GHashTable        *params,
              JsonNode          *body,
              gpointer           user_data)
{
  g_autoptr(GTask) task = NULL;
  Check *check;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    {
      g_autoptr(GError) error = g_error_new_literal (DC_ERROR, DC_ERROR_INVALID,
                                                     "request body must be a JSON object");

      dc_server_reply_error (msg, error);
      return;
    }

  check = g_new0 (Check, 1);
  check->user_db = g_strdup (user_data);
  check->point = json_object_ref (json_node_get_object (body));
  soup_server_message_pause (msg);
  task = g_task_new (NULL, NULL, check_done_cb, g_object_ref (msg));
  g_task_set_task_data (task, check, check_free);
  g_task_run_in_thread (task, check_thread);
}

void
dc_api_add_sql_check_route (DcServer   *server,
                            const char *user_db_path)
{
  g_return_if_fail (DC_IS_SERVER (server));

  /* The path lives as long as the server. */
  g_object_set_data_full (G_OBJECT (server), "dc-user-db", g_strdup (user_db_path), g_free);
  dc_server_add_route (server, "POST", "/api/v1/sql_check", sql_check_cb,
                       g_object_get_data (G_OBJECT (server), "dc-user-db"));
}
