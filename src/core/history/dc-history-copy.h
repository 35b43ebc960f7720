/* dc-history-copy.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-history.h"

G_BEGIN_DECLS

/* Progress of dc_history_copy_from_sqlite(): @done of @total samples handed to the writer. */
typedef void (*DcHistoryCopyProgress) (guint64  done,
                                       guint64  total,
                                       gpointer user_data);

/* The owner recorded in the sqlite history file @path (dc_companion_claim()): its
 * configuration id and path, or FALSE when the file records none. */
gboolean dc_history_sqlite_owner   (const char            *path,
                                    char                 **config_id,
                                    char                 **config_db_path,
                                    GError               **error);

/* Copies every sample of the sqlite history file @path into @dest (another backend: its
 * writer builds the rollups), point by point in time order, through dc_history_push() (on
 * the calling thread's main context, which it iterates while the writer is busy), then waits
 * until @dest has written them. Samples of points whose purge was not finished are left out.
 * Returns the samples copied, or -1 with @error set. Blocking: for `datacoll history copy`. */
gint64   dc_history_copy_from_sqlite (const char            *path,
                                      DcHistory             *dest,
                                      DcHistoryCopyProgress  progress,
                                      gpointer               user_data,
                                      GError               **error);

G_END_DECLS
