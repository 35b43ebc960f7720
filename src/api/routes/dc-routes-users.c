/* dc-routes-users.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include <sodium.h>
#include <string.h>

#include "dc-api-private.h"
#include "dc-audit.h"
#include "dc-auth-parse-private.h"
#include "dc-login-limit-private.h"
#include "dc-routes.h"
#include "dc-time.h"
#include "dc-users.h"

/* POST /api/v1/login and /logout, GET/POST /api/v1/users, PUT/DELETE /api/v1/users/{name}
 * (docs/security.md). Password hashing and checking cost about 0.1 s and 64 MiB each: they
 * run in worker threads, at most MAX_RUNNING at a time (a flood of logins queues instead of
 * taking the memory), and the message waits paused.
 *
 * Each login (failed ones too), logout and user change is a row of the audit log
 * (session.login, session.logout, user.create, user.update, user.delete) with the answer's
 * text as its result when it was refused; a password is never part of it. */

#define MAX_RUNNING 2

typedef struct
{
  DcUsers      *users;
  DcStore      *store;     /* nullable: its audit log, if any */
  DcLoginLimit *limit;
  GQueue        pending;   /* Job, not started yet */
  guint         running;
} Users;

typedef enum
{
  JOB_LOGIN,
  JOB_CREATE,
  JOB_UPDATE,
} JobKind;

typedef struct
{
  Users             *users;    /* a reference */
  SoupServerMessage *msg;      /* a reference; paused */
  JobKind            kind;
  char              *name;
  char              *password;
  char              *hash;     /* LOGIN: the stored one (NULL: unknown); else the new one */
  char              *address;
  DcRole             role;
  int                disabled; /* UPDATE: -1 keep */
  gboolean           ok;
  DcAuditActor      *actor;    /* who asked (the peer's source) */
  JsonNode          *detail;   /* CREATE, UPDATE: the audit row's detail */
} Job;

static void
users_free (Users *self)
{
  g_clear_object (&self->users);
  g_clear_object (&self->store);
  g_clear_pointer (&self->limit, dc_login_limit_free);
}

static void
record (Users              *users,
        const DcAuditActor *actor,
        const char         *action,
        const char         *target,
        JsonNode           *detail,
        const char         *result)
{
  dc_audit_record (users->store != NULL ? dc_store_get_audit (users->store) : NULL, actor,
                   action, target, detail, result);
}

/* A login's row names the user who tried (with the role once it succeeded), from the peer. */
static void
record_login (Users              *users,
              const DcAuditActor *peer,
              const char         *name,
              DcRole              role,
              JsonNode           *detail,
              const char         *result)
{
  g_autoptr(DcAuditActor) actor =
    dc_audit_actor_new (name, role != DC_ROLE_NONE ? dc_role_to_string (role) : "",
                        peer->source);

  record (users, actor, "session.login", name, detail, result);
}

/* The row of a user change answered at once: its result is the answer's text unless 2xx. */
static void
record_answer (Users              *users,
               SoupServerMessage  *msg,
               const DcAuditActor *actor,
               const char         *action,
               const char         *target,
               JsonNode           *detail)
{
  guint status = soup_server_message_get_status (msg);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;

  if (status >= 200 && status < 300)
    {
      record (users, actor, action, target, detail, NULL);
      return;
    }
  body = soup_message_body_flatten (soup_server_message_get_response_body (msg));
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  record (users, actor, action, target, detail, text);
}

static JsonNode *
detail_new (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

static void
wipe (char **secret)
{
  if (*secret != NULL)
    {
      sodium_memzero (*secret, strlen (*secret));
      g_clear_pointer (secret, g_free);
    }
}

static void
job_free (Job *job)
{
  wipe (&job->password);
  g_free (job->name);
  g_free (job->hash);
  g_free (job->address);
  g_clear_pointer (&job->actor, dc_audit_actor_free);
  g_clear_pointer (&job->detail, json_node_unref);
  g_clear_object (&job->msg);
  g_rc_box_release_full (job->users, (GDestroyNotify) users_free);
  g_free (job);
}

static Job *
job_new (Users             *users,
         SoupServerMessage *msg,
         JobKind            kind)
{
  Job *job = g_new0 (Job, 1);

  job->users = g_rc_box_acquire (users);
  job->msg = g_object_ref (msg);
  job->kind = kind;
  job->disabled = -1;
  job->actor = dc_server_message_get_actor (msg);
  return job;
}

static void
append_user (GString    *out,
             DcUserInfo *info)
{
  g_autofree char *created = dc_time_format (info->created);

  g_string_append (out, "{\"name\":");
  dc_json_append_string (out, info->name);
  g_string_append (out, ",\"role\":");
  dc_json_append_string (out, dc_role_to_string (info->role));
  g_string_append (out, ",\"created\":");
  dc_json_append_string (out, created);
  g_string_append_printf (out, ",\"disabled\":%s,\"last_login\":",
                          info->disabled ? "true" : "false");
  if (info->last_login == 0)
    g_string_append (out, "null");
  else
    {
      g_autofree char *last = dc_time_format (info->last_login);

      dc_json_append_string (out, last);
    }
  g_string_append_c (out, '}');
}

static void
reply_user (SoupServerMessage *msg,
            Users             *users,
            const char        *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcUserInfo) info = dc_users_get (users->users, name, &error);
  GString *out;

  if (info == NULL)
    {
      dc_server_reply_error (msg, error);
      return;
    }
  out = g_string_new (NULL);
  append_user (out, info);
  dc_api_reply_gstring (msg, out);
}

static void
reply_invalid_login (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Bearer");
  dc_server_reply_text (msg, 401, "invalid user or password!");
}

static void
reply_locked (SoupServerMessage *msg,
              guint              wait_s)
{
  g_autofree char *text = g_strdup_printf ("too many failed logins, retry in %u s", wait_s);
  g_autofree char *seconds = g_strdup_printf ("%u", wait_s);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                seconds);
  dc_server_reply_text (msg, 429, text);
}

static void
finish_login (Job *job)
{
  Users *users = job->users;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *expires_text = NULL;
  gint64 now = dc_users_now (users->users);
  gint64 expires = 0;
  GString *out;

  if (!job->ok)
    {
      dc_login_limit_failed (users->limit, job->address, now);
      g_message ("failed login of %s from %s", job->name, job->address);
      reply_invalid_login (job->msg);
      record_login (users, job->actor, job->name, DC_ROLE_NONE, NULL,
                    "invalid user or password!");
      return;
    }
  dc_login_limit_succeeded (users->limit, job->address);
  token = dc_users_new_session (users->users, job->name, &expires, &error);
  if (token == NULL)
    {
      /* Disabled or removed while the password was checked. */
      reply_invalid_login (job->msg);
      record_login (users, job->actor, job->name, DC_ROLE_NONE, NULL,
                    "invalid user or password!");
      return;
    }
  dc_users_record_login (users->users, job->name);
  expires_text = dc_time_format (expires);
  {
    g_autoptr(JsonNode) detail = detail_new ();

    json_object_set_string_member (json_node_get_object (detail), "expires", expires_text);
    record_login (users, job->actor, job->name, job->role, detail, NULL);
  }
  out = g_string_new ("{\"token\":");
  dc_json_append_string (out, token);
  g_string_append (out, ",\"user\":");
  dc_json_append_string (out, job->name);
  g_string_append (out, ",\"role\":");
  dc_json_append_string (out, dc_role_to_string (job->role));
  g_string_append (out, ",\"expires\":");
  dc_json_append_string (out, expires_text);
  g_string_append_c (out, '}');
  sodium_memzero (token, strlen (token));
  dc_api_reply_gstring (job->msg, out);
}

static void
finish_change (Job *job)
{
  Users *users = job->users;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (job->hash == NULL)
    {
      g_set_error_literal (&error, DC_ERROR, DC_ERROR_INTERNAL,
                           "cannot hash the password (out of memory)");
      dc_server_reply_error (job->msg, error);
    }
  else
    {
      if (job->kind == JOB_CREATE)
        ok = dc_users_add (users->users, job->name, job->role, job->hash, &error);
      else
        ok = dc_users_update (users->users, job->name, job->role, job->hash, job->disabled,
                              &error);
      if (!ok)
        dc_server_reply_error (job->msg, error);
      else
        reply_user (job->msg, users, job->name);
    }
  record_answer (users, job->msg, job->actor,
                 job->kind == JOB_CREATE ? "user.create" : "user.update", job->name,
                 job->detail);
}

static void start_jobs (Users *users);

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  Users *users = job->users;

  g_task_propagate_boolean (G_TASK (result), NULL);

  users->running--;
  if (job->kind == JOB_LOGIN)
    finish_login (job);
  else
    finish_change (job);
  soup_server_message_unpause (job->msg);
  start_jobs (users);
  /* Freed here, on the main thread, not with the task (which the worker may drop last). */
  job_free (job);
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;

  if (job->kind == JOB_LOGIN)
    job->ok = dc_password_verify (job->hash, job->password);
  else
    job->hash = dc_password_hash (job->password, NULL);
  wipe (&job->password);
  g_task_return_boolean (task, TRUE);
}

static void
start_jobs (Users *users)
{
  while (users->running < MAX_RUNNING && !g_queue_is_empty (&users->pending))
    {
      Job *job = g_queue_pop_head (&users->pending);
      g_autoptr(GTask) task = NULL;

      if (job->kind == JOB_LOGIN)
        {
          guint wait_s = dc_login_limit_wait (users->limit, job->address,
                                              dc_users_now (users->users));

          /* Locked out while it waited in the queue. */
          if (wait_s > 0)
            {
              g_autofree char *text = NULL;

              reply_locked (job->msg, wait_s);
              text = g_strdup_printf ("too many failed logins, retry in %u s", wait_s);
              record_login (users, job->actor, job->name, DC_ROLE_NONE, NULL, text);
              soup_server_message_unpause (job->msg);
              job_free (job);
              continue;
            }
        }
      users->running++;
      task = g_task_new (NULL, NULL, job_done_cb, NULL);
      g_task_set_task_data (task, job, NULL);
      g_task_run_in_thread (task, job_thread);
    }
}

static void
queue_job (Users *users,
           Job   *job)
{
  soup_server_message_pause (job->msg);
  g_queue_push_tail (&users->pending, job);
  start_jobs (users);
}

static void
login_cb (DcServer          *server,
          SoupServerMessage *msg,
          GHashTable        *params,
          JsonNode          *body,
          gpointer           user_data)
{
  Users *users = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *password = NULL;
  const char *host = soup_server_message_get_remote_host (msg);
  guint wait_s;
  Job *job;

  if (!dc_auth_parse_login (body, &name, &password, &error))
    {
      dc_server_reply_error (msg, error);
      return;
    }
  wait_s = dc_login_limit_wait (users->limit, host != NULL ? host : "",
                                dc_users_now (users->users));
  if (wait_s > 0)
    {
      g_autoptr(DcAuditActor) peer = dc_server_message_get_actor (msg);
      g_autofree char *text = g_strdup_printf ("too many failed logins, retry in %u s", wait_s);

      wipe (&password);
      reply_locked (msg, wait_s);
      record_login (users, peer, name, DC_ROLE_NONE, NULL, text);
      return;
    }

  job = job_new (users, msg, JOB_LOGIN);
  job->name = g_steal_pointer (&name);
  job->password = g_steal_pointer (&password);
  job->address = g_strdup (host != NULL ? host : "");
  /* Unknown and disabled users are checked against a dummy hash: same time, same answer. */
  job->hash = dc_users_get_hash (users->users, job->name, &job->role);
  queue_job (users, job);
}

static void
logout_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  Users *users = user_data;
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");
  g_autofree char *token = header != NULL ? dc_auth_parse_bearer (header) : NULL;

  g_autoptr(DcAuditActor) actor = dc_server_message_get_actor (msg);
  g_autoptr(JsonNode) detail = detail_new ();
  gboolean ended = FALSE;

  /* An API token is not ended by a logout; only a session is. */
  if (token != NULL)
    ended = dc_users_end_session (users->users, token);
  wipe (&token);
  dc_server_reply_empty (msg);
  json_object_set_boolean_member (json_node_get_object (detail), "session", ended);
  record (users, actor, "session.logout", actor->user, detail, NULL);
}

static void
list_cb (DcServer          *server,
         SoupServerMessage *msg,
         GHashTable        *params,
         JsonNode          *body,
         gpointer           user_data)
{
  Users *users = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = dc_users_list (users->users, &error);
  GString *out;

  if (list == NULL)
    {
      dc_server_reply_error (msg, error);
      return;
    }
  out = g_string_new ("[");
  for (guint i = 0; i < list->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_user (out, g_ptr_array_index (list, i));
    }
  g_string_append_c (out, ']');
  dc_api_reply_gstring (msg, out);
}

/* Reads the optional string member @name; FALSE (answered 400) when it is not a string. */
static gboolean
optional_string (SoupServerMessage  *msg,
                 JsonObject         *object,
                 const char         *name,
                 const char        **value)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *text = g_strdup_printf ("field %s must be a string", name);

      dc_server_reply_text (msg, 400, text);
      return FALSE;
    }
  *value = json_node_get_string (node);
  return TRUE;
}

/* Answers @error when set (the check before failed). */
static gboolean
check (SoupServerMessage  *msg,
       GError            **error)
{
  if (*error != NULL)
    {
      dc_server_reply_error (msg, *error);
      return FALSE;
    }
  return TRUE;
}

/* Creates the user; TRUE when its password is being hashed (the job answers and records). */
static gboolean
create_user (Users             *users,
             SoupServerMessage *msg,
             JsonNode          *body,
             JsonNode          *detail)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcUserInfo) existing = NULL;
  JsonObject *object = dc_api_require_object (msg, body);
  const char *name, *role, *password;
  DcRole parsed = DC_ROLE_NONE;
  Job *job;

  if (object == NULL || !optional_string (msg, object, "name", &name) ||
      !optional_string (msg, object, "role", &role) ||
      !optional_string (msg, object, "password", &password))
    return FALSE;
  if (name == NULL)
    {
      dc_server_reply_text (msg, 400, "missing field: name");
      return FALSE;
    }
  if (role == NULL)
    {
      dc_server_reply_text (msg, 400, "missing field: role");
      return FALSE;
    }
  if (password == NULL)
    {
      dc_server_reply_text (msg, 400, "missing field: password");
      return FALSE;
    }
  if ((!dc_user_name_validate (name, &error) || !dc_role_parse (role, &parsed, &error) ||
       !dc_password_validate (password, &error)) && !check (msg, &error))
    return FALSE;
  /* Refused before the costly hash when the name is taken. */
  existing = dc_users_get (users->users, name, NULL);
  if (existing != NULL)
    {
      dc_server_reply_text (msg, 409, "user already exists!");
      return FALSE;
    }

  job = job_new (users, msg, JOB_CREATE);
  job->name = g_strdup (name);
  job->role = parsed;
  job->password = g_strdup (password);
  job->detail = json_node_ref (detail);
  queue_job (users, job);
  return TRUE;
}

/* The string member @name of the object @body, or NULL. */
static const char *
body_string (JsonNode   *body,
             const char *name)
{
  JsonNode *node;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    return NULL;
  node = json_object_get_member (json_node_get_object (body), name);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The detail of a user change: what the body asks for, never the password itself. */
static JsonNode *
change_detail (JsonNode *body)
{
  JsonNode *detail = detail_new ();
  JsonObject *object = json_node_get_object (detail);
  JsonNode *disabled;

  if (body_string (body, "role") != NULL)
    json_object_set_string_member (object, "role", body_string (body, "role"));
  if (body != NULL && JSON_NODE_HOLDS_OBJECT (body))
    {
      if (json_object_has_member (json_node_get_object (body), "password"))
        json_object_set_boolean_member (object, "password", TRUE);
      disabled = json_object_get_member (json_node_get_object (body), "disabled");
      if (disabled != NULL && JSON_NODE_HOLDS_VALUE (disabled) &&
          json_node_get_value_type (disabled) == G_TYPE_BOOLEAN)
        json_object_set_boolean_member (object, "disabled", json_node_get_boolean (disabled));
    }
  return detail;
}

static void
create_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  Users *users = user_data;
  g_autoptr(DcAuditActor) actor = dc_server_message_get_actor (msg);
  g_autoptr(JsonNode) detail = change_detail (body);
  const char *name = body_string (body, "name");

  if (!create_user (users, msg, body, detail))
    record_answer (users, msg, actor, "user.create", name != NULL ? name : "", detail);
}

/* Changes the user; TRUE when a new password is being hashed (the job answers and records). */
static gboolean
update_user (Users             *users,
             SoupServerMessage *msg,
             GHashTable        *params,
             JsonNode          *body,
             JsonNode          *detail)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcUserInfo) info = NULL;
  const char *name = g_hash_table_lookup (params, "name");
  JsonObject *object = dc_api_require_object (msg, body);
  const char *role, *password;
  JsonNode *disabled_node;
  DcRole parsed = DC_ROLE_NONE;
  int disabled = -1;
  Job *job;

  if (object == NULL || !optional_string (msg, object, "role", &role) ||
      !optional_string (msg, object, "password", &password))
    return FALSE;
  disabled_node = json_object_get_member (object, "disabled");
  if (disabled_node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (disabled_node) ||
          json_node_get_value_type (disabled_node) != G_TYPE_BOOLEAN)
        {
          dc_server_reply_text (msg, 400, "field disabled must be true or false");
          return FALSE;
        }
      disabled = json_node_get_boolean (disabled_node);
    }
  info = dc_users_get (users->users, name, &error);
  if ((info == NULL || (role != NULL && !dc_role_parse (role, &parsed, &error)) ||
       (password != NULL && !dc_password_validate (password, &error))) && !check (msg, &error))
    return FALSE;

  if (password == NULL)
    {
      if (!dc_users_update (users->users, name, parsed, NULL, disabled, &error) &&
          !check (msg, &error))
        return FALSE;
      reply_user (msg, users, name);
      return FALSE;
    }
  job = job_new (users, msg, JOB_UPDATE);
  job->name = g_strdup (name);
  job->role = parsed;
  job->disabled = disabled;
  job->password = g_strdup (password);
  job->detail = json_node_ref (detail);
  queue_job (users, job);
  return TRUE;
}

static void
update_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  Users *users = user_data;
  g_autoptr(DcAuditActor) actor = dc_server_message_get_actor (msg);
  g_autoptr(JsonNode) detail = change_detail (body);

  if (!update_user (users, msg, params, body, detail))
    record_answer (users, msg, actor, "user.update", g_hash_table_lookup (params, "name"),
                   detail);
}

static void
delete_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  Users *users = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DcAuditActor) actor = dc_server_message_get_actor (msg);
  const char *name = g_hash_table_lookup (params, "name");
  gboolean ok = dc_users_delete (users->users, name, &error);

  dc_server_reply_done (msg, ok, error);
  record (users, actor, "user.delete", name, NULL, ok ? NULL : error->message);
}

static void
users_release (gpointer data)
{
  Users *users = data;
  Job *job;

  /* The server is going: jobs not started yet are dropped with their messages. */
  while ((job = g_queue_pop_head (&users->pending)) != NULL)
    job_free (job);
  g_rc_box_release_full (users, (GDestroyNotify) users_free);
}

void
dc_api_add_user_routes (DcServer *server)
{
  Users *users;

  g_return_if_fail (DC_IS_SERVER (server));
  g_return_if_fail (dc_server_get_users (server) != NULL);

  users = g_rc_box_new0 (Users);
  users->users = g_object_ref (dc_server_get_users (server));
  if (dc_server_get_store (server) != NULL)
    users->store = g_object_ref (dc_server_get_store (server));
  users->limit = dc_login_limit_new ();
  g_queue_init (&users->pending);
  /* The routes' data lives as long as the server; jobs in flight hold their own reference. */
  g_object_set_data_full (G_OBJECT (server), "dc-api-users", users, users_release);

  dc_server_add_route (server, "POST", "/api/v1/login", login_cb, users);
  dc_server_add_route (server, "POST", "/api/v1/logout", logout_cb, users);
  dc_server_add_route (server, "GET", "/api/v1/users", list_cb, users);
  dc_server_add_route (server, "POST", "/api/v1/users", create_cb, users);
  dc_server_add_route (server, "PUT", "/api/v1/users/{name}", update_cb, users);
  dc_server_add_route (server, "DELETE", "/api/v1/users/{name}", delete_cb, users);
}
