/* dc-api.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-server.h"

G_BEGIN_DECLS

/* Adds the configuration half of docs/rest.md to @server: catalogues, device/term/item/point
 * and formula CRUD, v2 batches. @server must have a store (dc_server_new() with a store). */
void dc_api_add_config_routes (DcServer *server);

G_END_DECLS
