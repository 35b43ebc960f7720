/* dc-api-plugins.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-alarm.h"
#include "dc-server.h"

G_BEGIN_DECLS

/* POST /api/v1/formula_check (docs/rest.md): 200 text/plain "OK" or the reason. */
void dc_api_add_formula_check_route (DcServer *server);

/* GET /api/v1/alarms, GET /api/v1/alarms/journal, POST /api/v1/alarms/{alarm_id}/ack and
 * /shelve (docs/plugins.md). The server holds a reference on @alarm. */
void dc_api_add_alarm_routes        (DcServer *server,
                                     DcAlarm  *alarm);

/* POST /api/v1/sql_check (docs/rest.md). @user_db_path may be NULL (no --user-db). */
void dc_api_add_sql_check_route     (DcServer   *server,
                                     const char *user_db_path);

G_END_DECLS
