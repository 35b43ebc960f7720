/* dc-api.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-alarm.h"
#include "dc-api-live.h"
#include "dc-engine.h"
#include "dc-server.h"

G_BEGIN_DECLS

/* What dc_api_install() needs besides the server. */
typedef struct
{
  DcEngine   *engine;        /* the engine over the server's store: samples, controls, live data */
  DcAlarm    *alarm;         /* nullable: no alarm routes (alarms off) */
  const char *user_db_path;  /* nullable: no --user-db (sql_check says why) */
  gint64      max_samples;   /* --max-samples: most samples a history request returns */
} DcApiOptions;

/* Adds every route family of docs/rest.md to @server (which must have the engine's store):
 * configuration (dc_api_add_config_routes()), samples, live values and controls,
 * formula_check, sql_check, alarms when @options has an alarm plugin, login and users when
 * the server has users (dc_server_set_users()), and live data (device
 * status, traffic frames, the WebSocket stream, fed by the engine and the alarms). The
 * engine's drivers answer the `status` of GET /api/v1/devices/{device_id}.
 *
 * Returns the live-data object (transfer full): drop it before @server, it closes the stream's
 * clients. Main thread. */
DcApiLive *dc_api_install           (DcServer           *server,
                                     const DcApiOptions *options);

/* The configuration half of docs/rest.md: catalogues, device/term/item/point and formula
 * CRUD, v2 batches, openapi.json. @server must have a store (dc_server_new() with a store).
 * dc_api_install() includes it; tests that need no engine use it alone. */
void       dc_api_add_config_routes (DcServer           *server);

G_END_DECLS
