/* dc-connect-dialog.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* "Connect to Server…" (primary menu and empty state; docs/ui.md "Starting"): the address of
 * a DataColl server, typed or picked from the recent servers (GSettings recent-servers, NULL
 * settings: none). "connect" calls @connect with the address as typed. An AdwMessageDialog,
 * responses "cancel" and "connect". */
typedef void (*DcConnectFunc) (const char *url,
                               gpointer    user_data);

GtkWidget  *dc_connect_dialog_present   (GtkWindow     *parent,
                                         GSettings     *settings,
                                         DcConnectFunc  connect,
                                         gpointer       user_data);
/* Tests: the address field; the recent servers offered. */
void        dc_connect_dialog_set_url   (GtkWidget     *dialog,
                                         const char    *url);
guint       dc_connect_dialog_get_n_recent (GtkWidget  *dialog);

/* Puts @url first in the recent servers (at most ten, no duplicates). */
void        dc_connect_remember_server  (GSettings     *settings,
                                         const char    *url);

G_END_DECLS
