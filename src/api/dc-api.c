/* dc-api.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-api.h"

#include "dc-routes.h"

/* The installer: one place that knows every route family (routes/, live/). The families
 * depend on the shared helpers (dc-api-reply.c), this file on the families, never the
 * reverse. */

/* A device's `status` in GET /api/v1/devices/{device_id}: the engine's view of its link. */
static const char *
device_status_cb (const char *device_id,
                  gpointer    user_data)
{
  return dc_engine_drivers_get_device_status (user_data, device_id);
}

static void
alarm_changed_cb (DcAlarm    *alarm,
                  JsonObject *object,
                  gpointer    user_data)
{
  dc_api_live_push_alarm (DC_API_LIVE (user_data), object);
}

void
dc_api_add_config_routes (DcServer *server)
{
  g_return_if_fail (DC_IS_SERVER (server));
  g_return_if_fail (dc_server_get_store (server) != NULL);

  dc_api_add_catalogue_routes (server);
  dc_api_add_entity_routes (server);
  dc_api_add_point_routes (server);
  dc_api_add_batch_routes (server);
  dc_api_add_project_route (server);
  dc_api_add_openapi_route (server);
}

/* The steps of a control with a "request" id go on the stream. */
static void
control_step_cb (const char *device_id,
                 const char *request,
                 DcCtrlStep  step,
                 const char *detail,
                 gpointer    user_data)
{
  g_autoptr(DcApiLive) live = g_weak_ref_get (user_data);

  if (live != NULL)
    dc_api_live_push_control_step (live, device_id, request, step, detail);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

DcApiLive *
dc_api_install (DcServer           *server,
                const DcApiOptions *options)
{
  DcApiLive *live;

  g_return_val_if_fail (DC_IS_SERVER (server), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (DC_IS_ENGINE (options->engine), NULL);
  g_return_val_if_fail (options->alarm == NULL || DC_IS_ALARM (options->alarm), NULL);
  g_return_val_if_fail (dc_server_get_store (server) == dc_engine_get_store (options->engine),
                        NULL);

  dc_server_set_device_status_func (server, device_status_cb,
                                    g_object_ref (dc_engine_get_drivers (options->engine)),
                                    g_object_unref);
  dc_api_add_config_routes (server);
  dc_api_add_sample_routes (server, options->engine, options->max_samples);
  dc_api_add_control_routes (server, options->engine);
  dc_api_add_status_route (server, options->engine);
  dc_api_add_formula_check_route (server);
  dc_api_add_sql_check_route (server, options->user_db_path);
  if (dc_server_get_users (server) != NULL)
    dc_api_add_user_routes (server);
  dc_api_add_audit_route (server);
  live = dc_api_live_new_for_engine (server, options->engine);
  {
    /* Weak: the stream holds the server; a step after the stream went is dropped. */
    GWeakRef *weak = g_new0 (GWeakRef, 1);

    g_weak_ref_init (weak, live);
    dc_api_set_control_step_func (server, control_step_cb, weak, weak_ref_free);
  }
  if (options->alarm != NULL)
    {
      dc_api_add_alarm_routes (server, options->alarm);
      g_signal_connect_object (options->alarm, "changed", G_CALLBACK (alarm_changed_cb), live, 0);
    }

  return live;
}
