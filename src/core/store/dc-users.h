/* dc-users.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Users, roles, API tokens and sessions in the configuration database (docs/security.md).
 *
 * The tables (users, user_tokens) live in the configuration file beside the store's, but
 * DcUsers has its own sqlite connection and creates them itself: `datacoll user …` works on
 * the file while a server holds it (WAL), and a server sees a user the command line added at
 * its next request. Passwords are stored as argon2id strings (libsodium crypto_pwhash_str);
 * tokens, API or session, as the SHA-256 of the token, never the token itself.
 *
 * A DcUsers object is used from one thread (the main thread in the server). The dc_password_*
 * functions are thread-safe: hashing takes about 0.1 s and 64 MiB, so the server runs them in
 * a worker thread. Errors are DC_ERROR with the REST texts: DC_ERROR_NOT_FOUND "user not
 * found!", DC_ERROR_EXISTS "user already exists!", DC_ERROR_INVALID "field … must …". */

/* Each role includes the ones before it. */
typedef enum
{
  DC_ROLE_NONE = 0,  /* anonymous: no role */
  DC_ROLE_VIEWER,
  DC_ROLE_OPERATOR,
  DC_ROLE_ENGINEER,
  DC_ROLE_ADMIN,
} DcRole;

/* A session lasts this long after its last use (sliding). */
#define DC_USERS_SESSION_LIFETIME (G_GINT64_CONSTANT (12) * 3600 * G_USEC_PER_SEC)
#define DC_USERS_MIN_PASSWORD     8
#define DC_USERS_MAX_NAME         64

/* "viewer" … "admin"; DC_ROLE_NONE is "anonymous". */
const char *dc_role_to_string          (DcRole       role);
/* Parses a role name (not "anonymous"); FALSE with DC_ERROR_INVALID "field role must be one of
 * viewer, operator, engineer, admin". */
gboolean    dc_role_parse              (const char  *text,
                                        DcRole      *role,
                                        GError     **error);

/* 1–64 characters, UTF-8, no white space, no control character, no ':'. */
gboolean    dc_user_name_validate      (const char  *name,
                                        GError     **error);
/* At least DC_USERS_MIN_PASSWORD characters. */
gboolean    dc_password_validate       (const char  *password,
                                        GError     **error);
/* The argon2id string of @password (libsodium interactive limits). Any thread. */
char       *dc_password_hash           (const char  *password,
                                        GError     **error);
/* Whether @password matches @hash. @hash NULL (unknown user) verifies against a dummy hash,
 * so that an unknown user costs the same time as a wrong password. Any thread. */
gboolean    dc_password_verify         (const char  *hash,
                                        const char  *password);
/* A new token: 32 random bytes (libsodium randombytes_buf), base64url without padding. */
char       *dc_token_generate          (void);
/* The SHA-256 of @token, as it is stored and compared (sodium_memcmp). */
void        dc_token_digest            (const char  *token,
                                        guint8       digest[32]);

typedef struct
{
  char     *name;
  DcRole    role;
  gint64    created;     /* µs since the epoch, UTC */
  gboolean  disabled;
  gint64    last_login;  /* µs since the epoch, or 0: never */
} DcUserInfo;

void        dc_user_info_free          (DcUserInfo  *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcUserInfo, dc_user_info_free)

/* The clock of expiries (µs since the epoch); tests set their own. */
typedef gint64 (*DcUsersClockFunc) (gpointer user_data);

#define DC_TYPE_USERS (dc_users_get_type ())

G_DECLARE_FINAL_TYPE (DcUsers, dc_users, DC, USERS, GObject)

/* Opens the configuration database @path (creating it and the tables when missing). */
DcUsers    *dc_users_open              (const char       *path,
                                        GError          **error);
void        dc_users_set_clock         (DcUsers          *self,
                                        DcUsersClockFunc  func,
                                        gpointer          user_data);
gint64      dc_users_now               (DcUsers          *self);

/* Whether any user exists (enabled or not): then every request needs a token. Known for a
 * second (a user the command line adds is seen within a second). */
gboolean    dc_users_any               (DcUsers          *self);
/* Every user (DcUserInfo) by name. */
GPtrArray  *dc_users_list              (DcUsers          *self,
                                        GError          **error);
DcUserInfo *dc_users_get               (DcUsers          *self,
                                        const char       *name,
                                        GError          **error);
/* The stored hash and role of @name, or NULL when there is no such enabled user. */
char       *dc_users_get_hash          (DcUsers          *self,
                                        const char       *name,
                                        DcRole           *role);

/* @hash from dc_password_hash(). */
gboolean    dc_users_add               (DcUsers          *self,
                                        const char       *name,
                                        DcRole            role,
                                        const char       *hash,
                                        GError          **error);
/* Changes what is given: @role DC_ROLE_NONE, @hash NULL and @disabled -1 keep the value. A new
 * password or disabling ends the user's sessions. */
gboolean    dc_users_update            (DcUsers          *self,
                                        const char       *name,
                                        DcRole            role,
                                        const char       *hash,
                                        int               disabled,
                                        GError          **error);
/* Removes the user with its tokens and sessions. */
gboolean    dc_users_delete            (DcUsers          *self,
                                        const char       *name,
                                        GError          **error);
/* Stamps the user's last login with the clock. */
void        dc_users_record_login      (DcUsers          *self,
                                        const char       *name);

/* A new session of @name, valid DC_USERS_SESSION_LIFETIME after each use; the token is
 * returned once (only its digest is stored). @expires: when it ends unless used. */
char       *dc_users_new_session       (DcUsers          *self,
                                        const char       *name,
                                        gint64           *expires,
                                        GError          **error);
/* A new API token of @name (@days 0: it never expires), labelled @label (may be NULL). */
char       *dc_users_new_token         (DcUsers          *self,
                                        const char       *name,
                                        const char       *label,
                                        guint             days,
                                        gint64           *expires,
                                        GError          **error);
/* Who @token belongs to: FALSE when it is unknown, expired or its user disabled. A session is
 * extended on use. @name (transfer full) and @role may be NULL. */
gboolean    dc_users_authenticate      (DcUsers          *self,
                                        const char       *token,
                                        char            **name,
                                        DcRole           *role);
/* dc_users_authenticate() with the token's digest (dc_token_digest()). A token found within
 * the last second is not looked up again: a change by another process (the command line) is
 * seen within a second, one through this object at once. */
gboolean    dc_users_authenticate_digest (DcUsers        *self,
                                          const guint8    digest[32],
                                          char          **name,
                                          DcRole         *role);
/* Ends the session @token; FALSE when it is no session (an API token stays valid). */
gboolean    dc_users_end_session       (DcUsers          *self,
                                        const char       *token);

G_END_DECLS
