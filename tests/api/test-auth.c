/* test-auth.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-auth"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "dc-api.h"
#include "dc-error.h"
#include "dc-protocols.h"
#include "dc-routes.h"
#include "dc-server.h"
#include "dc-store.h"
#include "dc-time.h"
#include "dc-users.h"

#include "dc-audit.h"

#include "dc-test-http.h"
#include "dc-test-store.h"

/* Users, login, sessions, roles and the login limit of docs/security.md, on an in-process
 * server over real HTTP with a temporary configuration file. The users' clock is the test's
 * (f->now): expiries and lock-outs are checked without waiting. */

#define HOUR (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define SECOND G_USEC_PER_SEC

typedef struct
{
  char     *dir;
  DcStore  *store;
  DcUsers  *users;
  DcServer *server;
  char     *base;
  gint64    now;
} Fixture;

static gint64
fake_clock (gpointer user_data)
{
  return *(gint64 *) user_data;
}

/* A route that is not in the access table (so admin only) and answers who asked. */
static void
actor_cb (DcServer          *server,
          SoupServerMessage *msg,
          GHashTable        *params,
          JsonNode          *body,
          gpointer           user_data)
{
  const char *user = g_object_get_data (G_OBJECT (msg), "dc-auth-user");
  const char *role = g_object_get_data (G_OBJECT (msg), "dc-auth-role");
  g_autofree char *text = g_strdup_printf ("%s %s", user ? user : "-", role ? role : "-");

  dc_server_reply_text (msg, 200, text);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("dc-auth-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "datacoll.db", NULL);
  f->store = dc_store_open (path, &error);
  g_assert_no_error (error);
  dc_test_store_attach_audit (f->store);
  f->users = dc_users_open (path, &error);
  g_assert_no_error (error);
  f->now = g_get_real_time ();
  dc_users_set_clock (f->users, fake_clock, &f->now);
  f->server = dc_server_new (f->store);
  dc_server_set_users (f->server, f->users);
  dc_api_add_config_routes (f->server);
  dc_api_add_user_routes (f->server);
  dc_server_add_route (f->server, "GET", "/test/actor", actor_cb, NULL);
  dc_server_listen (f->server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  f->base = dc_server_get_base_uri (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dc_server_disconnect (f->server);
  g_assert_finalize_object (f->server);
  g_assert_finalize_object (f->users);
  g_assert_finalize_object (f->store);
  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (f->dir, name, NULL);

      g_unlink (file);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->base);
}

static void
add_user (Fixture    *f,
          const char *name,
          DcRole      role,
          const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = dc_password_hash (password, &error);

  g_assert_no_error (error);
  dc_users_add (f->users, name, role, hash, &error);
  g_assert_no_error (error);
}

static DcReply *
login (Fixture    *f,
       const char *user,
       const char *password)
{
  g_autofree char *body = g_strdup_printf ("{\"user\":\"%s\",\"password\":\"%s\"}", user,
                                           password);

  return dc_http (f->base, "POST", "/api/v1/login", body);
}

/* Logs in (must succeed) and returns the session token. */
static char *
session (Fixture    *f,
         const char *user,
         const char *password)
{
  g_autoptr(DcReply) r = login (f, user, password);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (r->status != 200)
    g_error ("login of %s: %u %s", user, r->status, r->body);
  node = json_from_string (r->body, &error);
  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member (json_node_get_object (node), "token"));
}

/* No file of the configuration (database, WAL) holds @secret in clear. */
static void
assert_not_stored (Fixture    *f,
                   const char *secret)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;
  guint files = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      if (memmem (contents, length, secret, strlen (secret)) != NULL)
        g_error ("%s holds a secret in clear", name);
      files++;
    }
  g_assert_cmpuint (files, >=, 1);
}

/* A request whose answer headers are checked: the WWW-Authenticate header of a 401. */
static void
assert_401_with_challenge (Fixture    *f,
                           const char *method,
                           const char *path,
                           const char *authorization)
{
  g_autofree char *uri = g_strconcat (f->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) body = NULL;

  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  authorization);
  body = dc_test_send (msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 401);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "WWW-Authenticate"), ==, "Bearer");
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                   "authentication required!", strlen ("authentication required!"));
}

#define assert_request(f, method, path, body, token, want_status, want_text) \
  G_STMT_START { \
    g_autoptr(DcReply) reply_ = dc_http_full ((f)->base, (method), (path), (body), -1, (token)); \
    dc_assert_reply (reply_, (want_status), (want_text)); \
  } G_STMT_END

/* No user on loopback: open, and no actor is set (the audit log then writes `local`). As
 * soon as a user exists, every route but GET / and login needs a token. */
static void
test_open_until_first_user (Fixture       *f,
                            gconstpointer  data)
{
  g_assert_false (dc_server_get_auth_required (f->server));
  assert_request (f, "GET", "/api/v1/devices", NULL, NULL, 200, "[]");
  assert_request (f, "POST", "/api/v1/devices", "{\"id\":\"d\",\"protocol\":\"virtual\"}", NULL,
                  200, "");
  assert_request (f, "GET", "/test/actor", NULL, NULL, 200, "- -");

  add_user (f, "alice", DC_ROLE_ADMIN, "alice-password");
  g_assert_true (dc_server_get_auth_required (f->server));
  assert_401_with_challenge (f, "GET", "/api/v1/devices", NULL);
  assert_401_with_challenge (f, "POST", "/api/v1/devices", NULL);
  assert_401_with_challenge (f, "GET", "/test/actor", "Bearer not-a-token");
  /* The index and the login stay open. */
  {
    g_autoptr(DcReply) r = dc_http (f->base, "GET", "/", NULL);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_nonnull (strstr (r->body, "/api/v1/login\n"));
  }
  assert_request (f, "POST", "/api/v1/login", "{}", NULL, 400, "missing field: user");
}

static void
test_login_logout (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(DcReply) r = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *token = NULL;
  g_autofree char *bearer = NULL;
  JsonObject *object;

  add_user (f, "alice", DC_ROLE_ADMIN, "alice-password");
  add_user (f, "bob", DC_ROLE_VIEWER, "bob-password");

  /* The same answer for a wrong password, an unknown user and a disabled one. */
  r = login (f, "alice", "wrong-password");
  dc_assert_reply (r, 401, "invalid user or password!");
  g_clear_pointer (&r, dc_reply_free);
  r = login (f, "nobody", "alice-password");
  dc_assert_reply (r, 401, "invalid user or password!");
  g_clear_pointer (&r, dc_reply_free);
  dc_users_update (f->users, "bob", DC_ROLE_NONE, NULL, TRUE, &error);
  g_assert_no_error (error);
  r = login (f, "bob", "bob-password");
  dc_assert_reply (r, 401, "invalid user or password!");
  g_clear_pointer (&r, dc_reply_free);

  assert_request (f, "POST", "/api/v1/login", NULL, NULL, 400,
                  "request body must be a JSON object (the body is empty)");
  assert_request (f, "POST", "/api/v1/login", "{\"user\":\"alice\"}", NULL, 400,
                  "missing field: password");
  assert_request (f, "POST", "/api/v1/login", "{\"user\":\"alice\",\"password\":1}", NULL, 400,
                  "field password must be a string");
  assert_request (f, "POST", "/api/v1/login", "[1]", NULL, 400,
                  "request body must be a JSON object");

  r = login (f, "alice", "alice-password");
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (r->content_type, ==, "application/json; charset=utf-8");
  node = json_from_string (r->body, &error);
  g_assert_no_error (error);
  object = json_node_get_object (node);
  token = g_strdup (json_object_get_string_member (object, "token"));
  /* 32 random bytes in base64url without padding. */
  g_assert_cmpuint (strlen (token), ==, 43);
  g_assert_true (strspn (token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789-_") == 43);
  g_assert_cmpstr (json_object_get_string_member (object, "user"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (object, "role"), ==, "admin");
  expires = dc_time_format (f->now + 12 * HOUR);
  g_assert_cmpstr (json_object_get_string_member (object, "expires"), ==, expires);
  g_assert_null (strstr (r->body, "alice-password"));

  assert_request (f, "GET", "/test/actor", NULL, token, 200, "alice admin");
  /* The scheme is case-insensitive; spaces before the token do not matter. */
  bearer = g_strdup_printf ("bearer   %s", token);
  {
    g_autofree char *uri = g_strconcat (f->base, "/test/actor", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
    g_autoptr(GBytes) body = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  bearer);
    body = dc_test_send (msg);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  }
  g_clear_pointer (&bearer, g_free);
  bearer = g_strdup_printf ("Basic %s", token);
  assert_401_with_challenge (f, "GET", "/test/actor", bearer);
  g_clear_pointer (&bearer, g_free);
  bearer = g_strdup_printf ("Bearer %s!", token);
  assert_401_with_challenge (f, "GET", "/test/actor", bearer);

  /* The last login is recorded. */
  {
    g_autoptr(DcUserInfo) info = dc_users_get (f->users, "alice", &error);

    g_assert_no_error (error);
    g_assert_cmpint (info->last_login, ==, f->now);
  }

  /* Only digests and argon2id strings are stored. */
  assert_not_stored (f, token);
  assert_not_stored (f, "alice-password");

  assert_request (f, "POST", "/api/v1/logout", NULL, token, 200, "");
  assert_request (f, "GET", "/api/v1/devices", NULL, token, 401, "authentication required!");
  assert_request (f, "POST", "/api/v1/logout", NULL, token, 401, "authentication required!");
}

/* Each role includes the one before it; the 403 names the role and the action. */
static void
test_roles (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *viewer = NULL;
  g_autofree char *operator = NULL;
  g_autofree char *engineer = NULL;
  g_autofree char *admin = NULL;
  g_autoptr(GError) error = NULL;
  const char *device = "{\"id\":\"d\",\"protocol\":\"virtual\"}";

  add_user (f, "vera", DC_ROLE_VIEWER, "vera-password");
  add_user (f, "otto", DC_ROLE_OPERATOR, "otto-password");
  add_user (f, "emma", DC_ROLE_ENGINEER, "emma-password");
  add_user (f, "alice", DC_ROLE_ADMIN, "alice-password");
  viewer = session (f, "vera", "vera-password");
  operator = session (f, "otto", "otto-password");
  engineer = session (f, "emma", "emma-password");
  admin = session (f, "alice", "alice-password");

  assert_request (f, "GET", "/api/v1/devices", NULL, viewer, 200, "[]");
  assert_request (f, "POST", "/api/v1/devices", device, viewer, 403,
                  "permission denied: viewer cannot configure");
  assert_request (f, "POST", "/api/v1/devices", device, operator, 403,
                  "permission denied: operator cannot configure");
  assert_request (f, "POST", "/api/v1/devices", device, engineer, 200, "");
  assert_request (f, "DELETE", "/api/v1/devices/d", NULL, admin, 200, "");
  assert_request (f, "GET", "/api/v1/users", NULL, engineer, 403,
                  "permission denied: engineer cannot manage users");
  /* A route missing from the access table is admin only. */
  assert_request (f, "GET", "/test/actor", NULL, engineer, 403,
                  "permission denied: engineer cannot use this route");
  assert_request (f, "GET", "/test/actor", NULL, admin, 200, "alice admin");

  /* A role change applies at the next request; disabling ends the sessions. */
  dc_users_update (f->users, "vera", DC_ROLE_ENGINEER, NULL, -1, &error);
  g_assert_no_error (error);
  assert_request (f, "POST", "/api/v1/devices", device, viewer, 200, "");
  dc_users_update (f->users, "vera", DC_ROLE_NONE, NULL, TRUE, &error);
  g_assert_no_error (error);
  assert_request (f, "GET", "/api/v1/devices", NULL, viewer, 401, "authentication required!");

  /* The --token-file token is admin "token", beside the users. */
  dc_server_set_token (f->server, "file-token-123");
  assert_request (f, "GET", "/test/actor", NULL, "file-token-123", 200, "token admin");
  assert_request (f, "GET", "/test/actor", NULL, "file-token-124", 401,
                  "authentication required!");
}

/* 5 failures within 60 s lock the address out for 60 s, then 120, 240, 480, 900, 900 s; a
 * good password does not get in while locked; a login that succeeds starts over. */
static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  const guint locks[] = { 60, 120, 240, 480, 900, 900 };

  add_user (f, "alice", DC_ROLE_ADMIN, "alice-password");

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(DcReply) r = login (f, "alice", "wrong-password");

      dc_assert_reply (r, 401, "invalid user or password!");
      f->now += 10 * SECOND;
    }
  /* Failures older than the window do not count. */
  f->now += 30 * SECOND;
  {
    g_autoptr(DcReply) r = login (f, "alice", "wrong-password");

    dc_assert_reply (r, 401, "invalid user or password!");
  }
  {
    g_autoptr(DcReply) r = login (f, "alice", "alice-password");

    dc_assert_reply (r, 200, r->body);
  }

  for (guint round = 0; round < G_N_ELEMENTS (locks); round++)
    {
      g_autofree char *want = g_strdup_printf ("too many failed logins, retry in %u s",
                                               locks[round]);
      g_autofree char *half = g_strdup_printf ("too many failed logins, retry in %u s",
                                               locks[round] - locks[round] / 2);

      for (guint i = 0; i < 5; i++)
        {
          g_autoptr(DcReply) r = login (f, "alice", "wrong-password");

          dc_assert_reply (r, 401, "invalid user or password!");
        }
      {
        g_autoptr(DcReply) r = login (f, "alice", "alice-password");

        dc_assert_reply (r, 429, want);
      }
      f->now += (gint64) (locks[round] / 2) * SECOND;
      {
        g_autoptr(DcReply) r = login (f, "nobody", "x-password");

        dc_assert_reply (r, 429, half);
      }
      f->now += (gint64) (locks[round] - locks[round] / 2) * SECOND;
    }

  /* After the lock-out a good password gets in, and the count starts over. */
  {
    g_autoptr(DcReply) r = login (f, "alice", "alice-password");

    g_assert_cmpuint (r->status, ==, 200);
  }
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(DcReply) r = login (f, "alice", "wrong-password");

      dc_assert_reply (r, 401, "invalid user or password!");
    }
  {
    g_autoptr(DcReply) r = login (f, "alice", "alice-password");

    dc_assert_reply (r, 429, "too many failed logins, retry in 60 s");
  }
}

/* A session lasts 12 h after its last use; an API token until its expiry. */
static void
test_expiry (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *api = NULL;
  g_autofree char *forever = NULL;
  g_autoptr(GError) error = NULL;
  gint64 expires = 0;

  add_user (f, "alice", DC_ROLE_ADMIN, "alice-password");
  token = session (f, "alice", "alice-password");
  api = dc_users_new_token (f->users, "alice", "ci", 1, &expires, &error);
  g_assert_no_error (error);
  g_assert_cmpint (expires, ==, f->now + 24 * HOUR);
  forever = dc_users_new_token (f->users, "alice", NULL, 0, &expires, &error);
  g_assert_no_error (error);
  g_assert_cmpint (expires, ==, 0);
  assert_not_stored (f, api);
  assert_not_stored (f, forever);

  f->now += 11 * HOUR;
  assert_request (f, "GET", "/api/v1/devices", NULL, token, 200, "[]");
  /* Used 11 h after the login, the session now ends 12 h after that use. */
  f->now += 12 * HOUR - SECOND;
  assert_request (f, "GET", "/api/v1/devices", NULL, token, 200, "[]");
  assert_request (f, "GET", "/api/v1/devices", NULL, api, 200, "[]");
  /* One day after its making the API token ends; the session (used at 23 h) goes on. */
  f->now += HOUR + SECOND;
  assert_request (f, "GET", "/api/v1/devices", NULL, api, 401, "authentication required!");
  f->now += 12 * HOUR;
  assert_request (f, "GET", "/api/v1/devices", NULL, token, 401, "authentication required!");
  /* A token without expiry is valid years later; a logout does not end it. */
  f->now += 3 * 365 * 24 * HOUR;
  assert_request (f, "POST", "/api/v1/logout", NULL, forever, 200, "");
  assert_request (f, "GET", "/api/v1/devices", NULL, forever, 200, "[]");
}

static void
test_users_rest (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *admin = NULL;
  g_autofree char *bob = NULL;
  g_autoptr(DcReply) r = NULL;
  g_autoptr(DcUserInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *created = NULL;

  add_user (f, "alice", DC_ROLE_ADMIN, "alice-password");
  admin = session (f, "alice", "alice-password");
  created = dc_time_format (f->now);

  r = dc_http_full (f->base, "POST", "/api/v1/users",
                    "{\"name\":\"bob\",\"role\":\"operator\",\"password\":\"bob-secret-1\"}", -1,
                    admin);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_null (strstr (r->body, "bob-secret-1"));
  g_assert_null (strstr (r->body, "argon2"));
  {
    g_autofree char *want = g_strdup_printf ("{\"name\":\"bob\",\"role\":\"operator\","
                                             "\"created\":\"%s\",\"disabled\":false,"
                                             "\"last_login\":null}", created);

    g_assert_cmpstr (r->body, ==, want);
  }
  g_clear_pointer (&r, dc_reply_free);

  assert_request (f, "POST", "/api/v1/users",
                  "{\"name\":\"bob\",\"role\":\"operator\",\"password\":\"bob-secret-1\"}",
                  admin, 409, "user already exists!");
  assert_request (f, "POST", "/api/v1/users",
                  "{\"name\":\"carl\",\"role\":\"operator\",\"password\":\"short\"}", admin, 400,
                  "field password must be at least 8 characters");
  assert_request (f, "POST", "/api/v1/users",
                  "{\"name\":\"carl\",\"role\":\"boss\",\"password\":\"long-enough\"}", admin,
                  400, "field role must be one of viewer, operator, engineer, admin");
  assert_request (f, "POST", "/api/v1/users",
                  "{\"name\":\"c d\",\"role\":\"viewer\",\"password\":\"long-enough\"}", admin,
                  400, "field name must be 1–64 characters without white space or ':'");
  assert_request (f, "POST", "/api/v1/users",
                  "{\"name\":\"c:d\",\"role\":\"viewer\",\"password\":\"long-enough\"}", admin,
                  400, "field name must be 1–64 characters without white space or ':'");
  assert_request (f, "POST", "/api/v1/users", "{\"name\":\"carl\",\"role\":\"viewer\"}", admin,
                  400, "missing field: password");
  assert_request (f, "PUT", "/api/v1/users/nobody", "{\"role\":\"viewer\"}", admin, 404,
                  "user not found!");
  assert_request (f, "PUT", "/api/v1/users/bob", "{\"disabled\":1}", admin, 400,
                  "field disabled must be true or false");

  bob = session (f, "bob", "bob-secret-1");
  r = dc_http_full (f->base, "PUT", "/api/v1/users/bob", "{\"role\":\"engineer\"}", -1, admin);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_nonnull (strstr (r->body, "\"role\":\"engineer\""));
  g_clear_pointer (&r, dc_reply_free);
  assert_request (f, "GET", "/test/actor", NULL, bob, 403,
                  "permission denied: engineer cannot use this route");

  /* A new password ends bob's sessions; the old one no longer logs in. */
  r = dc_http_full (f->base, "PUT", "/api/v1/users/bob", "{\"password\":\"bob-secret-2\"}", -1,
                    admin);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_null (strstr (r->body, "bob-secret-2"));
  g_clear_pointer (&r, dc_reply_free);
  assert_request (f, "GET", "/api/v1/devices", NULL, bob, 401, "authentication required!");
  r = login (f, "bob", "bob-secret-1");
  dc_assert_reply (r, 401, "invalid user or password!");
  g_clear_pointer (&r, dc_reply_free);
  g_clear_pointer (&bob, g_free);
  bob = session (f, "bob", "bob-secret-2");

  r = dc_http_full (f->base, "GET", "/api/v1/users", NULL, -1, admin);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_null (strstr (r->body, "argon2"));
  g_assert_null (strstr (r->body, "secret"));
  g_assert_true (g_str_has_prefix (r->body, "[{\"name\":\"alice\",\"role\":\"admin\""));
  g_clear_pointer (&r, dc_reply_free);

  assert_request (f, "DELETE", "/api/v1/users/bob", NULL, admin, 200, "");
  assert_request (f, "DELETE", "/api/v1/users/bob", NULL, admin, 404, "user not found!");
  assert_request (f, "GET", "/api/v1/devices", NULL, bob, 401, "authentication required!");
  info = dc_users_get (f->users, "bob", &error);
  g_assert_error (error, DC_ERROR, DC_ERROR_NOT_FOUND);
  g_assert_null (info);
}

/* The row of @rows at @index: action, target, user, role and result, and a source that is the
 * peer's address and port; no password is in it. */
static void
assert_row (GPtrArray  *rows,
            guint       index,
            const char *action,
            const char *target,
            const char *user,
            const char *role,
            const char *result)
{
  DcAuditRow *row;

  g_assert_cmpuint (rows->len, >, index);
  row = g_ptr_array_index (rows, index);
  g_assert_cmpstr (row->action, ==, action);
  g_assert_cmpstr (row->target, ==, target);
  g_assert_cmpstr (row->user, ==, user);
  g_assert_cmpstr (row->role, ==, role);
  g_assert_cmpstr (row->result, ==, result);
  g_assert_true (g_str_has_prefix (row->source, "127.0.0.1:"));
  g_assert_null (strstr (row->detail, "secret"));
}

/* Logins (failed and locked-out ones too), logouts and user changes are rows of the audit log
 * with the user, role and source (newest first below). */
static void
test_audit_rows (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *admin = NULL;
  g_autoptr(GPtrArray) logins = NULL;
  g_autoptr(GPtrArray) logouts = NULL;
  g_autoptr(GPtrArray) creates = NULL;
  g_autoptr(GPtrArray) updates = NULL;
  g_autoptr(GPtrArray) deletes = NULL;

  add_user (f, "alice", DC_ROLE_ADMIN, "alice-secret");
  {
    g_autoptr(DcReply) r = login (f, "nobody", "nobody-secret");

    dc_assert_reply (r, 401, "invalid user or password!");
  }
  admin = session (f, "alice", "alice-secret");

  {
    g_autoptr(DcReply) r = dc_http_full (f->base, "POST", "/api/v1/users",
                                         "{\"name\":\"carl\",\"role\":\"viewer\","
                                         "\"password\":\"carl-secret\"}", -1, admin);

    g_assert_cmpuint (r->status, ==, 200);
  }
  assert_request (f, "POST", "/api/v1/users",
                  "{\"name\":\"carl\",\"role\":\"viewer\",\"password\":\"carl-secret\"}",
                  admin, 409, "user already exists!");
  {
    g_autoptr(DcReply) r = dc_http_full (f->base, "PUT", "/api/v1/users/carl",
                                         "{\"password\":\"carl-secret-2\",\"disabled\":true}",
                                         -1, admin);

    g_assert_cmpuint (r->status, ==, 200);
  }
  assert_request (f, "PUT", "/api/v1/users/nobody", "{\"role\":\"admin\"}", admin, 404,
                  "user not found!");
  assert_request (f, "DELETE", "/api/v1/users/carl", NULL, admin, 200, "");
  assert_request (f, "POST", "/api/v1/logout", NULL, admin, 200, "");
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(DcReply) r = login (f, "alice", "wrong-secret");

      dc_assert_reply (r, 401, "invalid user or password!");
    }
  {
    g_autoptr(DcReply) r = login (f, "alice", "alice-secret");

    dc_assert_reply (r, 429, "too many failed logins, retry in 60 s");
  }

  logins = dc_test_audit_rows (f->store, "session.login", NULL);
  g_assert_cmpuint (logins->len, ==, 8);
  assert_row (logins, 0, "session.login", "alice", "alice", "",
              "too many failed logins, retry in 60 s");
  assert_row (logins, 1, "session.login", "alice", "alice", "", "invalid user or password!");
  assert_row (logins, 6, "session.login", "alice", "alice", "admin", "ok");
  g_assert_nonnull (strstr (((DcAuditRow *) logins->pdata[6])->detail, "\"expires\":"));
  assert_row (logins, 7, "session.login", "nobody", "nobody", "", "invalid user or password!");

  logouts = dc_test_audit_rows (f->store, "session.logout", NULL);
  g_assert_cmpuint (logouts->len, ==, 1);
  assert_row (logouts, 0, "session.logout", "alice", "alice", "admin", "ok");
  g_assert_cmpstr (((DcAuditRow *) logouts->pdata[0])->detail, ==, "{\"session\":true}");

  creates = dc_test_audit_rows (f->store, "user.create", NULL);
  g_assert_cmpuint (creates->len, ==, 2);
  assert_row (creates, 0, "user.create", "carl", "alice", "admin", "user already exists!");
  assert_row (creates, 1, "user.create", "carl", "alice", "admin", "ok");
  g_assert_cmpstr (((DcAuditRow *) creates->pdata[1])->detail, ==,
                   "{\"role\":\"viewer\",\"password\":true}");

  updates = dc_test_audit_rows (f->store, "user.update", NULL);
  g_assert_cmpuint (updates->len, ==, 2);
  assert_row (updates, 0, "user.update", "nobody", "alice", "admin", "user not found!");
  assert_row (updates, 1, "user.update", "carl", "alice", "admin", "ok");
  g_assert_cmpstr (((DcAuditRow *) updates->pdata[1])->detail, ==,
                   "{\"password\":true,\"disabled\":true}");

  deletes = dc_test_audit_rows (f->store, "user.delete", NULL);
  g_assert_cmpuint (deletes->len, ==, 1);
  assert_row (deletes, 0, "user.delete", "carl", "alice", "admin", "ok");
}

/* The store functions the CLI and REST share, and their texts. */
static void
test_names_and_roles (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *long_name = g_strnfill (65, 'a');
  DcRole role = DC_ROLE_NONE;

  g_assert_true (dc_user_name_validate ("ängström", NULL));
  g_assert_true (dc_user_name_validate (long_name + 1, NULL));
  g_assert_false (dc_user_name_validate (long_name, &error));
  g_assert_cmpstr (error->message, ==,
                   "field name must be 1–64 characters without white space or ':'");
  g_clear_error (&error);
  g_assert_false (dc_user_name_validate ("", NULL));
  g_assert_false (dc_user_name_validate ("a\tb", NULL));
  g_assert_false (dc_user_name_validate ("a\u00a0b", NULL));
  g_assert_true (dc_role_parse ("engineer", &role, NULL));
  g_assert_cmpint (role, ==, DC_ROLE_ENGINEER);
  g_assert_false (dc_role_parse ("anonymous", &role, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_true (dc_password_validate ("12345678", NULL));
  g_assert_false (dc_password_validate ("1234567", NULL));
  /* Hashes are argon2id and salted: the same password twice gives two hashes. */
  {
    g_autofree char *a = dc_password_hash ("same-password", NULL);
    g_autofree char *b = dc_password_hash ("same-password", NULL);

    g_assert_true (g_str_has_prefix (a, "$argon2id$"));
    g_assert_cmpstr (a, !=, b);
    g_assert_true (dc_password_verify (a, "same-password"));
    g_assert_false (dc_password_verify (a, "same-passwore"));
    g_assert_false (dc_password_verify (NULL, "same-password"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  g_test_add_func ("/auth/names-and-roles", test_names_and_roles);
  g_test_add ("/auth/open-until-first-user", Fixture, NULL, fixture_setup,
              test_open_until_first_user, fixture_teardown);
  g_test_add ("/auth/login-logout", Fixture, NULL, fixture_setup, test_login_logout,
              fixture_teardown);
  g_test_add ("/auth/roles", Fixture, NULL, fixture_setup, test_roles, fixture_teardown);
  g_test_add ("/auth/rate-limit", Fixture, NULL, fixture_setup, test_rate_limit,
              fixture_teardown);
  g_test_add ("/auth/expiry", Fixture, NULL, fixture_setup, test_expiry, fixture_teardown);
  g_test_add ("/auth/users-rest", Fixture, NULL, fixture_setup, test_users_rest,
              fixture_teardown);
  g_test_add ("/auth/audit-rows", Fixture, NULL, fixture_setup, test_audit_rows,
              fixture_teardown);

  return g_test_run ();
}
