/* dc-engine-drivers.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "dc-driver.h"
#include "dc-store.h"

G_BEGIN_DECLS

/* The driver half of the engine (the DeviceManager, docs/engine.md): one driver per enabled
 * device, created, restarted and stopped as the store changes; link state and device events;
 * reads and controls routed to the drivers with a deadline and the exact errors of docs/rest.md.
 * The engine (DcEngine, the ingest half) owns one and hands it its thread-safe sample sink and
 * the hooks below. Main thread only, except where drivers call the sink. */
#define DC_TYPE_ENGINE_DRIVERS (dc_engine_drivers_get_type ())

G_DECLARE_FINAL_TYPE (DcEngineDrivers, dc_engine_drivers, DC, ENGINE_DRIVERS, GObject)

/* What the driver half needs from the ingest half. All called on the main thread. Drivers
 * see them through the driver contract: get_live as dc_driver_get_live(), push_api as
 * dc_sample_sink_push_api() on the sink they are given. */
typedef struct
{
  /* The live (current) sample of @key; FALSE when the point has none yet. */
  gboolean (*get_live)     (gpointer        user_data,
                            gint64          key,
                            DcSample       *sample);
  /* A sample written through the API (a device_call answer, a virtual device_ctrl): stored
   * even when its value repeats (docs/model.md). NULL: pushed through the sink. */
  void     (*push_api)     (gpointer        user_data,
                            const DcSample *sample);
  /* Optional: apply the batches queued in the sink now, so that get_live sees every sample a
   * driver pushed before it reported its link down. */
  void     (*flush_ingest) (gpointer        user_data);
} DcEngineDriversHooks;

/* @sink: the engine's sink (borrowed; must outlive this object). @hooks is copied. */
DcEngineDrivers *dc_engine_drivers_new            (DcStore                    *store,
                                                   DcSampleSink               *sink,
                                                   const DcEngineDriversHooks *hooks,
                                                   gpointer                    hooks_data);
/* I/O threads (0 = default). Before start. */
void             dc_engine_drivers_set_n_io_threads (DcEngineDrivers          *self,
                                                     guint                     n_threads);
/* --call-timeout (default 10 s). */
void             dc_engine_drivers_set_call_timeout (DcEngineDrivers          *self,
                                                     gint64                    timeout_us);
gint64           dc_engine_drivers_get_call_timeout (DcEngineDrivers          *self);

/* Loads every device of the store, starts their drivers and follows ::changed from now on. */
void             dc_engine_drivers_start          (DcEngineDrivers            *self);
/* Stops every driver (synchronously) and stops following the store. */
void             dc_engine_drivers_shutdown       (DcEngineDrivers            *self);
/* Configuration changes are coalesced and applied in a high-priority idle right after the
 * store commits; this applies the pending ones now. */
void             dc_engine_drivers_flush          (DcEngineDrivers            *self);

/* The running link driver of @device_id, or NULL (unknown, disabled, or a driver without a
 * link: virtual, formula — they have no traffic and no counters to show). */
DcDriver        *dc_engine_drivers_get_driver     (DcEngineDrivers            *self,
                                                   const char                 *device_id);
/* The link state: virtual and formula devices are up while enabled; a device whose protocol
 * has no driver is down. */
DcLinkState      dc_engine_drivers_get_state      (DcEngineDrivers            *self,
                                                   const char                 *device_id);
/* "on" when the link is up, else "off" (the device's `status` field). */
const char      *dc_engine_drivers_get_device_status (DcEngineDrivers         *self,
                                                      const char              *device_id);
/* GET /api/v1/devices/{id}/status. DC_ERROR_NOT_FOUND "device_id not found!". */
JsonNode        *dc_engine_drivers_build_status   (DcEngineDrivers            *self,
                                                   const char                 *device_id,
                                                   GError                    **error);
/* GET /api/v1/devices/{id}/frames: the newest @limit frames, oldest first, decoded. */
JsonNode        *dc_engine_drivers_build_frames   (DcEngineDrivers            *self,
                                                   const char                 *device_id,
                                                   guint                       limit,
                                                   GError                    **error);

/* device_call: reads a point now. Errors in the order of docs/rest.md: 404 device, term,
 * item, point; 400 "term <t> does not belong to device <d>"; 503 offline; 504 timeout; 502
 * rejected; 404 "no sample yet!" for virtual/formula points without a value. The answer is
 * also a sample (stored, live). */
void             dc_engine_drivers_call_async     (DcEngineDrivers            *self,
                                                   const char                 *device_id,
                                                   const char                 *term_id,
                                                   const char                 *item_id,
                                                   GCancellable               *cancellable,
                                                   GAsyncReadyCallback         callback,
                                                   gpointer                    user_data);
/* @sample gets the point's key, time, value and quality. */
gboolean         dc_engine_drivers_call_finish    (DcEngineDrivers            *self,
                                                   GAsyncResult               *result,
                                                   DcSample                   *sample,
                                                   GError                    **error);
/* device_ctrl: writes a point. Virtual points store the value as a new sample; formula
 * points refuse (400). Every control is recorded in the store's audit log with the current
 * actor (dc_audit_actor_get_current() at the call): "control.request" at once (its result
 * the error when the point cannot be resolved) and "control.result" with the outcome ("ok"
 * or the error text). @user is the name the caller gave (the REST body's "user"), kept in
 * the detail when it differs from the actor's. */
void             dc_engine_drivers_ctrl_async     (DcEngineDrivers            *self,
                                                   const char                 *device_id,
                                                   const char                 *term_id,
                                                   const char                 *item_id,
                                                   double                      value,
                                                   const char                 *user,
                                                   DcCtrlProgressFunc          progress,
                                                   gpointer                    progress_data,
                                                   GCancellable               *cancellable,
                                                   GAsyncReadyCallback         callback,
                                                   gpointer                    user_data);
/* @sample gets the key, the confirmation time, the confirmed value and quality 0. */
gboolean         dc_engine_drivers_ctrl_finish    (DcEngineDrivers            *self,
                                                   GAsyncResult               *result,
                                                   DcSample                   *sample,
                                                   GError                    **error);

/* Signals:
 *   ::device-changed (const char *device_id, const char *state, const char *last_error)
 *       the link state of a device changed ("up", "down", "connecting", "disabled"). */

G_END_DECLS
