/* dc-routes.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-alarm.h"
#include "dc-engine.h"
#include "dc-server.h"

G_BEGIN_DECLS

/* The route families of docs/rest.md, one file each in src/api/routes/. dc_api_install()
 * adds them all; tests add the families they exercise. Every family needs a server with a
 * store (dc_server_new() with a store) unless said otherwise. Main thread. */

/* GET /api/v1/device_protocols and /api/v1/term_protocols (dc-routes-catalogues.c). */
void dc_api_add_catalogue_routes    (DcServer   *server);

/* Device, term, item and formula CRUD and their children lists (dc-routes-entities.c). */
void dc_api_add_entity_routes       (DcServer   *server);

/* Point CRUD under /api/v1/terms/{term_id}/items/{item_id}/points (dc-routes-points.c). */
void dc_api_add_point_routes        (DcServer   *server);

/* The v2 batches: create and delete many entities in one transaction (dc-routes-batches.c). */
void dc_api_add_batch_routes        (DcServer   *server);

/* GET /api/v1/project: the whole configuration as one project object (dc-routes-project.c). */
void dc_api_add_project_route       (DcServer   *server);

/* GET /api/v1/openapi.json, compiled in from src/api/openapi.json (dc-routes-openapi.c). */
void dc_api_add_openapi_route       (DcServer   *server);

/* The history of a point: `…/datas` (window, limit, buckets, CSV, truncation header) and
 * `…/datas/{index}`. @max_samples is --max-samples (dc-routes-samples.c). */
void dc_api_add_sample_routes       (DcServer   *server,
                                     DcEngine   *engine,
                                     gint64      max_samples);

/* Gets the steps of a control whose device_ctrl body carries "request" (ext). */
typedef void (*DcApiControlStepFunc) (const char *device_id,
                                      const char *request,
                                      DcCtrlStep  step,
                                      const char *detail,
                                      gpointer    user_data);

/* Where the control routes send those steps (dc_api_install(): the stream). */
void dc_api_set_control_step_func   (DcServer             *server,
                                     DcApiControlStepFunc  func,
                                     gpointer              user_data,
                                     GDestroyNotify        destroy);

/* GET /api/v1/values, POST /api/v1/device_call and /api/v1/device_ctrl (through the engine's
 * drivers) (dc-routes-controls.c). */
void dc_api_add_control_routes      (DcServer   *server,
                                     DcEngine   *engine);

/* GET /api/v1/status: ingest counters, backlog, history writer counters
 * (dc-routes-status.c). */
void dc_api_add_status_route        (DcServer   *server,
                                     DcEngine   *engine);

/* POST /api/v1/formula_check: 200 text/plain "OK" or the reason (dc-routes-checks.c). */
void dc_api_add_formula_check_route (DcServer   *server);

/* POST /api/v1/sql_check. @user_db_path may be NULL (no --user-db) (dc-routes-checks.c). */
void dc_api_add_sql_check_route     (DcServer   *server,
                                     const char *user_db_path);

/* GET /api/v1/alarms, GET /api/v1/alarms/journal, POST /api/v1/alarms/{alarm_id}/ack and
 * /shelve (docs/plugins.md). The server holds a reference on @alarm (dc-routes-alarms.c). */
void dc_api_add_alarm_routes        (DcServer   *server,
                                     DcAlarm    *alarm);

/* POST /api/v1/login and /logout, GET/POST /api/v1/users, PUT/DELETE /api/v1/users/{name}
 * (docs/security.md) over the server's users (dc_server_set_users(), required)
 * (dc-routes-users.c). */
void dc_api_add_user_routes         (DcServer   *server);

/* GET /api/v1/audit: the store's audit log, filtered, newest first, JSON or CSV; 503 "the
 * audit log is not open" without one (dc-routes-audit.c, docs/security.md). */
void dc_api_add_audit_route         (DcServer   *server);

G_END_DECLS
