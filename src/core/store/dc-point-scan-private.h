/* dc-point-scan-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The flat scanner of point bodies (dc-point-scan.c), for dc-model.c.
 */

#pragma once

#include "dc-model.h"

G_BEGIN_DECLS

/* Sets @info's protocol_code, code_type, coefficient, base_val, history, history_deadband,
 * retention_days and decimals from @body, a point's stored members as JSON text, exactly as
 * dc_point_info_new_from_body() reads them from the parsed object, when @body is a flat object
 * (scalar members, strings without escapes) with none of the members a view keeps its
 * JsonObject for. Otherwise returns FALSE and sets nothing: the caller parses @body. */
gboolean _dc_point_scan_body (const char  *body,
                              DcPointInfo *info);

/* The member @name of the flat object @body as a new node (NULL when absent): TRUE, or FALSE
 * when @body is not a flat object (the caller parses it). */
gboolean _dc_point_scan_member (const char  *body,
                                const char  *name,
                                JsonNode   **node);

G_END_DECLS
