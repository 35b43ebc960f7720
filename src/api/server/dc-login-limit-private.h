/* dc-login-limit-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Failed logins per peer address (docs/security.md, "Login limits"): after
 * DC_LOGIN_LIMIT_FAILURES failures within DC_LOGIN_LIMIT_WINDOW the address is locked out,
 * first for DC_LOGIN_LIMIT_FIRST_LOCK, each further lock-out twice as long as the one before,
 * at most DC_LOGIN_LIMIT_MAX_LOCK. An address without a failure for DC_LOGIN_LIMIT_FORGET starts
 * over, and so does one that logs in. Times are µs from the caller's clock. Main thread. */
#define DC_LOGIN_LIMIT_FAILURES   5
#define DC_LOGIN_LIMIT_WINDOW     (60 * G_USEC_PER_SEC)
#define DC_LOGIN_LIMIT_FIRST_LOCK (60 * G_USEC_PER_SEC)
#define DC_LOGIN_LIMIT_MAX_LOCK   (15 * 60 * G_USEC_PER_SEC)
#define DC_LOGIN_LIMIT_FORGET     (15 * 60 * G_USEC_PER_SEC)
/* Addresses remembered at most (each a few dozen bytes). */
#define DC_LOGIN_LIMIT_MAX_ADDRESSES 10000

typedef struct _DcLoginLimit DcLoginLimit;

DcLoginLimit *dc_login_limit_new       (void);
void          dc_login_limit_free      (DcLoginLimit *self);
/* Seconds (rounded up) until @address may try again; 0: it may now. */
guint         dc_login_limit_wait      (DcLoginLimit *self,
                                        const char   *address,
                                        gint64        now);
void          dc_login_limit_failed    (DcLoginLimit *self,
                                        const char   *address,
                                        gint64        now);
void          dc_login_limit_succeeded (DcLoginLimit *self,
                                        const char   *address);

G_END_DECLS
