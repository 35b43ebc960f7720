/* dc-plant-source.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "dc-driver.h"
#include "dc-history.h"
#include "dc-model.h"
#include "dc-plant-model.h"
#include "dc-traffic-feed.h"

G_BEGIN_DECLS

/* The plant connection (docs/ui.md "The plant connection"): the one way the workstation
 * reaches a plant, whether its engine runs in this process (DcLocalSource) or on a DataColl
 * server (DcRemoteSource: REST + the WebSocket stream). The source feeds a DcPlantModel
 * (configuration, then its changes, live values and link states) and answers the pages:
 * configuration lookups and writes, history buckets, controls with their steps.
 *
 * Lookups (get) answer from memory or a short configuration read; everything that may take
 * time is asynchronous. Writes (save, remove) call @done exactly once, with NULL or the
 * server's error; a local source calls it before returning. */
#define DC_TYPE_PLANT_SOURCE (dc_plant_source_get_type ())

G_DECLARE_INTERFACE (DcPlantSource, dc_plant_source, DC, PLANT_SOURCE, GObject)

typedef enum
{
  DC_SOURCE_CONNECTING,   /* no answer yet */
  DC_SOURCE_CONNECTED,    /* live */
  DC_SOURCE_LOST,         /* the connection broke: values are stale, reconnecting */
  DC_SOURCE_LOGIN,        /* the server wants a user (401): see dc_remote_source_login() */
  DC_SOURCE_TRUST,        /* a certificate the system does not trust: the user decides
                           * (dc_remote_source_get_pending_fingerprint()) */
} DcSourceState;

typedef void (*DcSourceDoneFunc) (const GError *error,
                                  gpointer      user_data);

struct _DcPlantSourceInterface
{
  GTypeInterface parent_iface;

  void        (*attach)          (DcPlantSource       *self,
                                  DcPlantModel        *plant);
  void        (*detach)          (DcPlantSource       *self);
  JsonObject *(*get)             (DcPlantSource       *self,
                                  DcKind               kind,
                                  const char          *id);
  void        (*save)            (DcPlantSource       *self,
                                  DcKind               kind,
                                  const char          *id,
                                  JsonObject          *object,
                                  DcSourceDoneFunc     done,
                                  gpointer             user_data);
  void        (*remove)          (DcPlantSource       *self,
                                  DcKind               kind,
                                  const char          *id,
                                  DcSourceDoneFunc     done,
                                  gpointer             user_data);
  void        (*buckets_async)   (DcPlantSource       *self,
                                  gint64               key,
                                  gint64               from,
                                  gint64               to,
                                  guint                n_buckets,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  GArray     *(*buckets_finish)  (DcPlantSource       *self,
                                  GAsyncResult        *result,
                                  GError             **error);
  void        (*control_async)   (DcPlantSource       *self,
                                  const char          *device_id,
                                  const char          *term_id,
                                  const char          *item_id,
                                  double               value,
                                  DcCtrlProgressFunc   progress,
                                  gpointer             progress_data,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  gboolean    (*control_finish)  (DcPlantSource       *self,
                                  GAsyncResult        *result,
                                  double              *confirmed,
                                  GError             **error);
  void        (*status_async)    (DcPlantSource       *self,
                                  const char          *device_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  JsonNode   *(*status_finish)   (DcPlantSource       *self,
                                  GAsyncResult        *result,
                                  GError             **error);
  void        (*export_async)    (DcPlantSource       *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  void        (*import_async)    (DcPlantSource       *self,
                                  JsonObject          *project,
                                  gboolean             apply,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  gboolean    (*has_alarms)      (DcPlantSource       *self);
  JsonArray  *(*list_alarms)     (DcPlantSource       *self,
                                  gboolean             all);
  void        (*alarm_action)    (DcPlantSource       *self,
                                  gint64               id,
                                  gboolean             shelve,
                                  gint64               until_us,
                                  const char          *comment,
                                  DcSourceDoneFunc     done,
                                  gpointer             user_data);
  void        (*ack_all)         (DcPlantSource       *self,
                                  const gint64        *ids,
                                  guint                n_ids,
                                  const char          *comment,
                                  DcSourceDoneFunc     done,
                                  gpointer             user_data);
  void        (*journal_async)   (DcPlantSource       *self,
                                  gint64               from,
                                  gint64               to,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  JsonArray  *(*journal_finish)  (DcPlantSource       *self,
                                  GAsyncResult        *result,
                                  GError             **error);
  void        (*formula_check_async)  (DcPlantSource       *self,
                                       JsonObject          *formula,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
  char       *(*formula_check_finish) (DcPlantSource       *self,
                                       GAsyncResult        *result,
                                       GError             **error);
  GPtrArray  *(*list_ids)        (DcPlantSource       *self,
                                  DcKind               kind);
  DcTrafficFeed *(*open_traffic) (DcPlantSource       *self,
                                  const char          *device_id);
};

/* Starts feeding @plant (everything is replaced) until dc_plant_source_detach(). */
void           dc_plant_source_attach         (DcPlantSource       *self,
                                               DcPlantModel        *plant);
void           dc_plant_source_detach         (DcPlantSource       *self);
/* The entity (a new reference) or NULL. @id of a point: "term_id:item_id". */
JsonObject    *dc_plant_source_get            (DcPlantSource       *self,
                                               DcKind               kind,
                                               const char          *id);
/* The ids of @kind (not points) in natural order; a new array of strings. */
GPtrArray     *dc_plant_source_list_ids       (DcPlantSource       *self,
                                               DcKind               kind);
/* Creates (@id NULL) or updates (a merge, as PUT) an entity; @object of a new point carries
 * term_id and item_id. */
void           dc_plant_source_save           (DcPlantSource       *self,
                                               DcKind               kind,
                                               const char          *id,
                                               JsonObject          *object,
                                               DcSourceDoneFunc     done,
                                               gpointer             user_data);
/* Deletes an entity with what goes with it (as DELETE of docs/rest.md). */
void           dc_plant_source_remove         (DcPlantSource       *self,
                                               DcKind               kind,
                                               const char          *id,
                                               DcSourceDoneFunc     done,
                                               gpointer             user_data);
/* History buckets (DcBucket) of the point @key of the attached plant model. */
void           dc_plant_source_buckets_async  (DcPlantSource       *self,
                                               gint64               key,
                                               gint64               from,
                                               gint64               to,
                                               guint                n_buckets,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GArray        *dc_plant_source_buckets_finish (DcPlantSource       *self,
                                               GAsyncResult        *result,
                                               GError             **error);
/* A control (device_ctrl) as the desk's user; @progress gets the steps on the main context. */
void           dc_plant_source_control_async  (DcPlantSource       *self,
                                               const char          *device_id,
                                               const char          *term_id,
                                               const char          *item_id,
                                               double               value,
                                               DcCtrlProgressFunc   progress,
                                               gpointer             progress_data,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       dc_plant_source_control_finish (DcPlantSource       *self,
                                               GAsyncResult        *result,
                                               double              *confirmed,
                                               GError             **error);

/* A device's link status and counters (as GET /api/v1/devices/{id}/status); an error when
 * the device has no link (disabled, virtual). */
void           dc_plant_source_status_async   (DcPlantSource       *self,
                                               const char          *device_id,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
JsonNode      *dc_plant_source_status_finish  (DcPlantSource       *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* Import and export (docs/ui-editing.md "Import and export"): the whole configuration as a
 * project object (dc_store_export(); GET /api/v1/project), and an import of a project:
 * @apply FALSE previews (every row with its action or error, nothing changes), @apply TRUE
 * applies all or nothing (POST /api/v1/project). The import's rows are DcImportRow;
 * @applied tells whether the apply happened (FALSE: a row failed, the rows say why). */
void           dc_plant_source_export_async   (DcPlantSource       *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
JsonObject    *dc_plant_source_export_finish  (DcPlantSource       *self,
                                               GAsyncResult        *result,
                                               GError             **error);
void           dc_plant_source_import_async   (DcPlantSource       *self,
                                               JsonObject          *project,
                                               gboolean             apply,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GPtrArray     *dc_plant_source_import_finish  (DcPlantSource       *self,
                                               GAsyncResult        *result,
                                               gboolean            *applied,
                                               GError             **error);
/* Implementations: the answer of an import task (the task keeps @rows). */
void           dc_plant_source_return_import  (GTask               *task,
                                               GPtrArray           *rows,
                                               gboolean             applied);

/* Alarms (docs/plugins.md): whether the plant has the alarm plugin; the alarms as the
 * plugin's JSON objects, highest priority first (@all: also normal and shelved ones);
 * acknowledge (@shelve FALSE) or shelve until @until_us, as the source's user; the journal in
 * [@from, @to). Every change of an alarm is emitted as ::alarm-changed (JsonObject *alarm). */
gboolean       dc_plant_source_has_alarms     (DcPlantSource       *self);
JsonArray     *dc_plant_source_list_alarms    (DcPlantSource       *self,
                                               gboolean             all);
/* One alarm (a new reference) or NULL. */
JsonObject    *dc_plant_source_get_alarm      (DcPlantSource       *self,
                                               gint64               id);
void           dc_plant_source_alarm_action   (DcPlantSource       *self,
                                               gint64               id,
                                               gboolean             shelve,
                                               gint64               until_us,
                                               const char          *comment,
                                               DcSourceDoneFunc     done,
                                               gpointer             user_data);
/* Acknowledges the alarms @ids (NULL: every alarm waiting for an acknowledgement) as the
 * source's user (docs/ui-alarms.md "Acknowledge"); those acknowledged meanwhile are skipped. */
void           dc_plant_source_ack_all        (DcPlantSource       *self,
                                               const gint64        *ids,
                                               guint                n_ids,
                                               const char          *comment,
                                               DcSourceDoneFunc     done,
                                               gpointer             user_data);
void           dc_plant_source_journal_async  (DcPlantSource       *self,
                                               gint64               from,
                                               gint64               to,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
JsonArray     *dc_plant_source_journal_finish (DcPlantSource       *self,
                                               GAsyncResult        *result,
                                               GError             **error);
/* formula_check (docs/rest.md "Formulas"): @formula is {formula, p1, …}; the answer is "OK"
 * or why not ("name p2 is not defined"), read by the plant's own server (the store of this
 * process, or POST /api/v1/formula_check). An error only when the check could not be asked
 * (the connection, a role below engineer). */
void           dc_plant_source_formula_check_async  (DcPlantSource       *self,
                                                     JsonObject          *formula,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
char          *dc_plant_source_formula_check_finish (DcPlantSource       *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* The traffic of @device_id (dc-traffic-feed.h, a new reference): frames and link counters.
 * Never NULL: a device without traffic gives a feed without frames. */
DcTrafficFeed *dc_plant_source_open_traffic   (DcPlantSource       *self,
                                               const char          *device_id);
/* Implementations: an alarm changed. */
void           dc_plant_source_emit_alarm     (DcPlantSource       *self,
                                               JsonObject          *alarm);

/* What every source tells: its state, "location" ("local", or the server's host:port),
 * "user" and "role" (NULL when unknown). Implementations set them with dc_plant_source_set_*(),
 * which emit ::changed (no arguments) when something changed. */
DcSourceState  dc_plant_source_get_state      (DcPlantSource       *self);
const char    *dc_plant_source_get_location   (DcPlantSource       *self);
const char    *dc_plant_source_get_user       (DcPlantSource       *self);
const char    *dc_plant_source_get_role       (DcPlantSource       *self);
/* TRUE when the source is local: its engine is in this process. */
gboolean       dc_plant_source_is_local       (DcPlantSource       *self);
void           dc_plant_source_set_state      (DcPlantSource       *self,
                                               DcSourceState        state);
void           dc_plant_source_set_identity   (DcPlantSource       *self,
                                               const char          *location,
                                               const char          *user,
                                               const char          *role);

G_END_DECLS
