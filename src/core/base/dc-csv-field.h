/* dc-csv-field.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One CSV field as RFC 4180 writes it, for every CSV DataColl exports (the configuration's
 * CSV form, the audit log, the alarm journal, trend and history exports): @text (nothing for
 * NULL) as it is, or quoted with its quotes doubled when it holds a comma, a quote or a line
 * break, and also when @quote_edge_spaces and it starts or ends with a space (a reader that
 * trims unquoted fields keeps it). Any thread. */
void dc_csv_append_field (GString    *out,
                          const char *text,
                          gboolean    quote_edge_spaces);

G_END_DECLS
