/* dc-login-dialog.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-remote-source.h"

G_BEGIN_DECLS

/* The login of a desk on a server that asks for a user (401; docs/ui.md "The plant
 * connection"): user name and password, POST /api/v1/login through @source. A refusal shows
 * the dialog again with the server's text ("invalid user or password!"). Returns the dialog
 * (an AdwMessageDialog, responses "cancel" and "login"). */
GtkWidget  *dc_login_dialog_present         (GtkWindow      *parent,
                                             DcRemoteSource *source);
/* Tests: fill the fields; the text shown (the server's refusal, or the question). */
void        dc_login_dialog_set_credentials (GtkWidget      *dialog,
                                             const char     *user,
                                             const char     *password);
const char *dc_login_dialog_get_text        (GtkWidget      *dialog);

/* A server whose certificate the system does not trust (docs/ui.md): its SHA-256 fingerprint
 * to compare with the server's (`openssl x509 -fingerprint -sha256`); "trust" calls @trusted
 * with the fingerprint (the application remembers it for that server and reconnects).
 * Responses "cancel" and "trust". */
typedef void (*DcTrustFunc) (const char *fingerprint,
                             gpointer    user_data);

GtkWidget  *dc_trust_dialog_present         (GtkWindow      *parent,
                                             const char     *location,
                                             const char     *fingerprint,
                                             DcTrustFunc     trusted,
                                             gpointer        user_data);

G_END_DECLS
