/* dc-test-http.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* A small HTTP client for the REST tests: real requests over a real socket with SoupSession,
 * waiting by iterating the main context (the in-process server answers on the same context). */

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  guint  status;
  char  *body;          /* NUL-terminated */
  gsize  length;
  char  *content_type;  /* the full header value, or NULL */
  char  *allow;         /* the Allow header, or NULL */
} DcReply;

void         dc_reply_free   (DcReply    *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcReply, dc_reply_free)

/* The tests' one session: a direct connection (no desktop proxy settings), 20 s timeout. */
SoupSession *dc_test_session (void);

/* Sends @msg on dc_test_session(), iterating the main context until the answer; fails the test
 * on an error or after 20 s. Returns the body (never NULL). */
GBytes      *dc_test_send    (SoupMessage *msg);

/* Sends @method @base@path with @body (NULL = none; @body_length -1 = strlen) and, when
 * @token is set, "Authorization: Bearer <token>". Fails the test after 20 s. */
DcReply     *dc_http_full    (const char *base,
                              const char *method,
                              const char *path,
                              const char *body,
                              gssize      body_length,
                              const char *token);

/* dc_http_full() without a token, @body NUL-terminated. */
DcReply     *dc_http         (const char *base,
                              const char *method,
                              const char *path,
                              const char *body);

/* Asserts status and exact body text. */
#define dc_assert_reply(reply, want_status, want_body) \
  G_STMT_START { \
    DcReply *r_ = (reply); \
    if (r_->status != (guint) (want_status) || g_strcmp0 (r_->body, (want_body)) != 0) \
      g_error ("%s:%d: got %u '%s', want %u '%s'", __FILE__, __LINE__, r_->status, r_->body, \
               (guint) (want_status), (want_body)); \
  } G_STMT_END

G_END_DECLS
