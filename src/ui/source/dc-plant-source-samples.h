/* dc-plant-source-samples.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-plant-source.h"

G_BEGIN_DECLS

/* Raw history samples through the plant connection (docs/ui.md "History"): the history of
 * this process's engine, or the server's `datas` route (format=csv, which carries the
 * quality). The newest @limit samples of [@from, @to) (G_MININT64 / G_MAXINT64: open ends),
 * oldest first; *@truncated tells that the window holds more. Returns a GArray of DcSample
 * (key set to @row's). */
void    dc_plant_source_samples_async  (DcPlantSource       *self,
                                        DcPointRow          *row,
                                        gint64               from,
                                        gint64               to,
                                        guint                limit,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GArray *dc_plant_source_samples_finish (DcPlantSource       *self,
                                        GAsyncResult        *result,
                                        gboolean            *truncated,
                                        GError             **error);

/* Parses a `datas?format=csv` answer ("time,value,quality", empty value: invalid) into
 * DcSample of @key; FALSE with DC_ERROR_INTERNAL on a malformed line. */
GArray *dc_plant_source_parse_samples_csv (const char   *text,
                                           gsize         length,
                                           gint64        key,
                                           GError      **error);

G_END_DECLS
