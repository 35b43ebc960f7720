/* dc-driver.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "dc-model.h"
#include "dc-sample.h"
#include "dc-store.h"
#include "dc-traffic.h"

G_BEGIN_DECLS

/* The interface every protocol implements (docs/ARCHITECTURE.md "Threads and data flow").
 *
 * The abstract base lives in the core (src/core/engine) so that the engine depends on it
 * without depending on any protocol; protocols (src/protocols/…) subclass it and register a
 * factory per device protocol name as the driver_new of their descriptor (dc-protocol.h).
 *
 * Threads: the engine calls every vfunc on the main thread. A driver does its I/O on the
 * GMainContext of the I/O thread it was given (dc_driver_get_io_context(); many drivers per
 * thread, non-blocking GIO) — or, for blocking serial I/O, on its own GThread. From those threads
 * it may only call the thread-safe functions marked [any thread] below. Async results
 * (call/ctrl) and ctrl progress are delivered on the main context.
 *
 * Drivers without a link (DcDriverClass.no_link: the virtual and formula devices) have no I/O
 * thread: they work on the main context only, read the engine's live samples with
 * dc_driver_get_live() and write API samples with dc_sample_sink_push_api(). */

typedef enum
{
  DC_LINK_DISABLED,
  DC_LINK_CONNECTING,
  DC_LINK_UP,
  DC_LINK_DOWN,
} DcLinkState;

typedef enum
{
  DC_CTRL_STEP_SELECT_SENT,
  DC_CTRL_STEP_SELECTED,
  DC_CTRL_STEP_EXECUTE_SENT,
  DC_CTRL_STEP_CONFIRMED,
  DC_CTRL_STEP_TERMINATED,
  DC_CTRL_STEP_FAILED,
} DcCtrlStep;

/* "up", "down", "connecting", "disabled" (docs/rest.md status) */
const char *dc_link_state_to_string (DcLinkState state);
/* "select sent", "selected", "execute sent", "confirmed", "terminated", "failed" */
const char *dc_ctrl_step_to_string  (DcCtrlStep  step);

/* Called on the main context for each step of a control. */
typedef void (*DcCtrlProgressFunc) (DcCtrlStep  step,
                                    const char *detail,
                                    gpointer    user_data);

/* Where drivers deliver samples: implemented by the engine. Thread-safe; takes a whole batch
 * (GArray of DcSample, transfer full) and wakes the main context once per batch. Never drops.
 * dc_sample_sink_is_congested() tells a driver to slow down (Modbus: skip polls and count the
 * lateness; IEC 104: hold back acknowledgements so the k/w window throttles the outstation). */
typedef struct _DcSampleSink DcSampleSink;

struct _DcSampleSink
{
  void     (*push_batch)   (DcSampleSink   *sink,
                            GArray         *samples);
  gboolean (*is_congested) (DcSampleSink   *sink);
  /* Main thread only; optional (NULL: the sample goes through push_batch). One sample written
   * through the API (a virtual device_ctrl): stored even when its value repeats (docs/model.md
   * "Samples"), unless the point's history is none. */
  void     (*push_api)     (DcSampleSink   *sink,
                            const DcSample *sample);
  /* Thread-safe; optional (NULL: through push_batch). Values a device sends as history (a
   * Sparkplug metric with is_historical): stored at their own time, never live, as late
   * samples are (docs/model.md "Samples"). Takes the batch (transfer full). */
  void     (*push_history) (DcSampleSink   *sink,
                            GArray         *samples);
};

void     dc_sample_sink_push_batch   (DcSampleSink   *sink,
                                      GArray         *samples);
gboolean dc_sample_sink_is_congested (DcSampleSink   *sink);
/* Main thread only. */
void     dc_sample_sink_push_api     (DcSampleSink   *sink,
                                      const DcSample *sample);
void     dc_sample_sink_push_history (DcSampleSink   *sink,
                                      GArray         *samples);

/* Reads the engine's live (current) sample of @key; FALSE when the point has none yet. */
typedef gboolean (*DcDriverLiveFunc) (gpointer  user_data,
                                      gint64    key,
                                      DcSample *sample);

#define DC_TYPE_DRIVER (dc_driver_get_type ())

G_DECLARE_DERIVABLE_TYPE (DcDriver, dc_driver, DC, DRIVER, GObject)

struct _DcDriverClass
{
  GObjectClass parent_class;

  /* Main thread. Start connecting/polling with the current configuration. */
  void      (*start)          (DcDriver            *self);
  /* Main thread. Stop all I/O; after this returns the driver no longer pushes samples. */
  void      (*stop)           (DcDriver            *self);
  /* Main thread. The points (or terms) changed but not the device's link settings: update the
   * point map / poll plan in place. The base implementation does stop + start. */
  void      (*points_changed) (DcDriver            *self);

  /* Main thread. Read a point now (docs/rest.md device_call). The result is a sample (the
   * engine stores it). Errors: DC_ERROR_OFFLINE, DC_ERROR_TIMEOUT, DC_ERROR_REJECTED.
   * The base call_finish and ctrl_finish take the GTask's pointer result (a g_malloc'd DcSample
   * or double), so a driver whose tasks return that leaves both unset. */
  void      (*call_async)     (DcDriver            *self,
                               const DcPointInfo   *point,
                               gint64               deadline_us,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
  gboolean  (*call_finish)    (DcDriver            *self,
                               GAsyncResult        *result,
                               DcSample            *sample,
                               GError             **error);

  /* Main thread. Write a point (device_ctrl). @value is the engineering value; the driver does
   * inverse scaling and range checks (DC_ERROR_INVALID with the spec's texts). The result is the
   * confirmed (read-back) value. */
  void      (*ctrl_async)     (DcDriver            *self,
                               const DcPointInfo   *point,
                               double               value,
                               gint64               deadline_us,
                               DcCtrlProgressFunc   progress,
                               gpointer             progress_data,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
  gboolean  (*ctrl_finish)    (DcDriver            *self,
                               GAsyncResult        *result,
                               double              *confirmed,
                               GError             **error);

  /* Main thread. Adds the protocol-specific counters as members of @builder's current object
   * (the "protocol" object of GET …/status). */
  void      (*add_status)     (DcDriver            *self,
                               JsonBuilder         *builder);

  /* Any thread. Decodes one traffic frame for GET …/frames and the GUI monitor: returns the
   * one-line summary, sets *decoded to a JSON object (nullable) and *error to a decode error
   * text (nullable). */
  char     *(*decode_frame)   (DcDriver            *self,
                               const DcTrafficFrame *frame,
                               JsonObject         **decoded,
                               char               **error);

  /* TRUE for drivers without a link (the virtual and formula devices): the link is up while
   * the device is enabled, there is no I/O thread (every vfunc and the result callbacks run on
   * the main context), no traffic and no counters. call_async answers the engine's live sample
   * (dc_driver_get_live()), which the engine therefore does not store again; a successful
   * ctrl_async has pushed the new sample with dc_sample_sink_push_api() before it returns its
   * result, and the engine answers the control with that live sample.
   * dc_engine_drivers_get_driver() does not hand such drivers out. */
  gboolean  no_link;

  gpointer padding[7];
};

/* A factory creating a driver for a device of one protocol: DcProtocol.driver_new. */
typedef DcDriver *(*DcDriverFactory) (void);

/* Sets the driver factory of @protocol in the protocol registry, keeping the rest of its
 * descriptor (a protocol not registered yet gets a descriptor with only a name and the
 * factory). */
void          dc_driver_register_protocol   (const char         *protocol,
                                             DcDriverFactory     factory);
DcDriver     *dc_driver_new_for_protocol    (const char         *protocol);
gboolean      dc_driver_protocol_is_known   (const char         *protocol);

/* Configuration, set by the engine on the main thread before start and on every change.
 * @device is the stored device object, @terms the device's term objects (JsonObject), @points
 * the DcPointInfo of all points on the device. The driver keeps references (the caller must
 * not change them afterwards), reads them on the main thread and copies what its I/O thread
 * needs. */
void          dc_driver_set_config          (DcDriver           *self,
                                             JsonObject         *device,
                                             GPtrArray          *terms,
                                             GPtrArray          *points);
JsonObject   *dc_driver_get_device          (DcDriver           *self);
GPtrArray    *dc_driver_get_terms           (DcDriver           *self);
GPtrArray    *dc_driver_get_points          (DcDriver           *self);
const char   *dc_driver_get_device_id       (DcDriver           *self);

/* Engine wiring: where samples go and which I/O thread runs the driver. */
void          dc_driver_set_sink            (DcDriver           *self,
                                             DcSampleSink       *sink);
void          dc_driver_set_io_context      (DcDriver           *self,
                                             GMainContext       *context);
/* Main thread. The configuration store, for drivers that learn their points from the device
 * (the sparkplug protocol creates points from births); set by the engine before start, NULL
 * outside the engine. Borrowed: valid while the driver runs (between start and stop), on the
 * main thread only. */
void          dc_driver_set_store           (DcDriver           *self,
                                             DcStore            *store);
DcStore      *dc_driver_get_store           (DcDriver           *self);
/* Main thread. The engine's live table, read-only (set by the engine before start). */
void          dc_driver_set_live_func       (DcDriver           *self,
                                             DcDriverLiveFunc    func,
                                             gpointer            user_data);
/* Main thread. The live sample of @key; FALSE when it has none or no live function is set. */
gboolean      dc_driver_get_live            (DcDriver           *self,
                                             gint64              key,
                                             DcSample           *sample);
/* [any thread] */
DcSampleSink *dc_driver_get_sink            (DcDriver           *self);
GMainContext *dc_driver_get_io_context      (DcDriver           *self);
DcTraffic    *dc_driver_get_traffic         (DcDriver           *self);

void          dc_driver_start               (DcDriver           *self);
void          dc_driver_stop                (DcDriver           *self);
void          dc_driver_points_changed      (DcDriver           *self);
void          dc_driver_call_async          (DcDriver           *self,
                                             const DcPointInfo  *point,
                                             gint64              deadline_us,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
gboolean      dc_driver_call_finish         (DcDriver           *self,
                                             GAsyncResult       *result,
                                             DcSample           *sample,
                                             GError            **error);
void          dc_driver_ctrl_async          (DcDriver           *self,
                                             const DcPointInfo  *point,
                                             double              value,
                                             gint64              deadline_us,
                                             DcCtrlProgressFunc  progress,
                                             gpointer            progress_data,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
gboolean      dc_driver_ctrl_finish         (DcDriver           *self,
                                             GAsyncResult       *result,
                                             double             *confirmed,
                                             GError            **error);
char         *dc_driver_decode_frame        (DcDriver           *self,
                                             const DcTrafficFrame *frame,
                                             JsonObject        **decoded,
                                             char              **error);

/* Link state and counters. [any thread] The state change is marshalled to the main context
 * (the thread-default context where the driver was created), where ::link-changed (int
 * DcLinkState state, const char *last_error) is emitted, in order, once per real change (same
 * state and same error is no change). When the link goes
 * down the engine marks the device's points communication-lost (0x100). */
void          dc_driver_set_link_state      (DcDriver           *self,
                                             DcLinkState         state,
                                             const char         *last_error);
DcLinkState   dc_driver_get_link_state      (DcDriver           *self);
char         *dc_driver_dup_last_error      (DcDriver           *self);
gint64        dc_driver_get_link_since      (DcDriver           *self);
/* [any thread] A unit (term) of a multi-unit link went down or up (Modbus RTU/TCP per unit):
 * the engine marks only that term's points communication-lost. Marshalled like the link
 * state: ::term-link-changed (const char *term_id, gboolean up, const char *last_error) on the
 * main context, once per real change. */
void          dc_driver_set_term_link_state (DcDriver           *self,
                                             const char         *term_id,
                                             gboolean            up,
                                             const char         *last_error);

typedef struct
{
  guint64 frames_in;
  guint64 frames_out;
  guint64 bytes_in;
  guint64 bytes_out;
  guint64 reconnects;
} DcDriverCounters;

/* [any thread] Counters are atomic; drivers bump them as they go. */
void          dc_driver_count_frame         (DcDriver           *self,
                                             gboolean            incoming,
                                             gsize               n_bytes);
void          dc_driver_count_reconnect     (DcDriver           *self);
void          dc_driver_get_counters        (DcDriver           *self,
                                             DcDriverCounters   *counters);
/* Main thread: the JSON of GET /api/v1/devices/{id}/status. */
JsonNode     *dc_driver_build_status        (DcDriver           *self);

/* [any thread] The exact error texts of docs/rest.md for calls and controls:
 * DC_ERROR_OFFLINE "device <id> is offline", DC_ERROR_TIMEOUT "device <id> did not answer
 * within <n> s", DC_ERROR_REJECTED "device <id> rejected the command: <reason>". */
GError       *dc_driver_error_offline       (const char         *device_id);
GError       *dc_driver_error_timeout       (const char         *device_id,
                                             gint64              timeout_us);
GError       *dc_driver_error_rejected      (const char         *device_id,
                                             const char         *reason);

/* [any thread] Runs @func (@data) on the driver's I/O context and waits for it (directly when
 * already on that thread). Handy for stop(): after it returns, the I/O thread has seen the
 * stop. */
void          dc_driver_io_invoke_sync      (DcDriver           *self,
                                             GSourceFunc         func,
                                             gpointer            data);

G_END_DECLS
