/* dc-api-plugins.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-server.h"

G_BEGIN_DECLS

/* POST /api/v1/formula_check (rest-api.md): 200 text/plain "OK" or the reason. */
void dc_api_add_formula_check_route (DcServer *server);

G_END_DECLS
