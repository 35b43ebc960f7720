/* rest-fixture.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* The REST tests' fixture, built once for tests/api/test-rest-*.c: REST over real HTTP, an
 * in-process DcServer on 127.0.0.1 port 0 with a temporary sqlite file, requests through
 * SoupSession (dc-test-http.h). */

#include <json-glib/json-glib.h>

#include "dc-server.h"
#include "dc-store.h"

#include "dc-test-http.h"

G_BEGIN_DECLS

typedef struct
{
  char     *dir;
  DcStore  *store;
  DcServer *server;
  char     *base;
} Fixture;

/* Opens a store in a new temporary directory and a server on @bind (port 0) with the
 * configuration routes and @token. */
void        fixture_open     (Fixture    *f,
                              const char *bind,
                              const char *token);
/* fixture_open() on 127.0.0.1 without a token. */
void        fixture_setup    (Fixture       *f,
                              gconstpointer  data);
void        fixture_teardown (Fixture       *f,
                              gconstpointer  data);

/* @method @path with @body must answer 200 (and an empty body unless GET). */
void        ok               (Fixture    *f,
                              const char *method,
                              const char *path,
                              const char *body);
/* GET @path must answer 200 with JSON; the parsed node. */
JsonNode   *get_json         (Fixture    *f,
                              const char *path);
/* The JSON text of GET @path, for compact comparisons. */
char       *get_text         (Fixture    *f,
                              const char *path);
/* The string member @name of the object @node, or NULL. */
const char *member_string    (JsonNode   *node,
                              const char *name);

/* A small plant: a Modbus device with a term and a point, a formula device with a formula. */
void        plant            (Fixture    *f);
/* Everything the store holds, as one string (through the store, not the API under test). */
char       *dump             (DcStore    *store);

#define assert_get(f, path, want) \
  G_STMT_START { \
    g_autofree char *got_ = get_text ((f), (path)); \
    g_assert_cmpstr (got_, ==, (want)); \
  } G_STMT_END

#define assert_request(f, m_, p_, b_, s_, t_) \
  G_STMT_START { \
    g_autoptr(DcReply) req_ = dc_http ((f)->base, (m_), (p_), (b_)); \
    dc_assert_reply (req_, (s_), (t_)); \
    if (req_->status >= 400) \
      g_assert_cmpstr (req_->content_type, ==, "text/plain; charset=utf-8"); \
  } G_STMT_END

G_END_DECLS
