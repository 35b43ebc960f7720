/* dc-iec104-driver.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-iec104-driver"

#include "config.h"

#include <math.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "dc-error.h"
#include "dc-iec104-driver-private.h"
#include "dc-iec104-io-private.h"
#include "dc-json-util.h"

G_DEFINE_FINAL_TYPE (DcIec104Driver, dc_iec104_driver, DC_TYPE_DRIVER)

/* Helpers */

static GTimeZone *
time_zone_from_config (const char *name)
{
  if (name == NULL || *name == '\0' || g_ascii_strcasecmp (name, "UTC") == 0)
    return NULL;
  if (g_ascii_strcasecmp (name, "local") == 0)
    return g_time_zone_new_local ();
  return g_time_zone_new_identifier (name);
}

static gint64
seconds_to_us (JsonObject *device,
               const char *field,
               double      default_s)
{
  double s = dc_json_get_double (device, field, default_s);

  if (!(s >= 0) || s > 86400.0 * 366)
    s = default_s;
  return (gint64) (s * G_USEC_PER_SEC);
}

/* DcDriver vfuncs (main thread) */

/* Runs @func on the link's thread and waits. Without an I/O context set, the link runs on the
 * caller's (main) context: the loop calls it directly. */
static void
link_invoke_sync (Link        *link,
                  GSourceFunc  func,
                  gpointer     data)
{
  dc_io_loop_invoke_sync (link->loop, func, data);
}

/* The (CA, IOA) → point map and the list of CAs, from the terms and points (main thread). */
static void
build_point_map (DcDriver    *driver,
                 GHashTable **points_out,
                 GArray     **cas_out)
{
  GPtrArray *terms = dc_driver_get_terms (driver);
  GPtrArray *points = dc_driver_get_points (driver);
  g_autoptr(GHashTable) term_ca = g_hash_table_new (g_str_hash, g_str_equal);
  GArray *cas;
  GHashTable *points_map;

  cas = g_array_new (FALSE, FALSE, sizeof (guint16));
  for (guint i = 0; terms && i < terms->len; i++)
    {
      JsonObject *term = g_ptr_array_index (terms, i);
      const char *id = dc_json_get_string (term, "id", NULL);
      gint64 ca = dc_json_get_int (term, "address", 1);
      gboolean seen = FALSE;

      if (ca < 1 || ca > 65535)
        continue;
      if (id)
        g_hash_table_insert (term_ca, (gpointer) id, GINT_TO_POINTER ((int) ca));
      for (guint j = 0; j < cas->len; j++)
        seen |= g_array_index (cas, guint16, j) == ca;
      if (!seen)
        {
          guint16 v = (guint16) ca;

          g_array_append_val (cas, v);
        }
    }
  if (cas->len == 0)
    {
      guint16 v = 1;

      g_array_append_val (cas, v);
    }

  points_map = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  for (guint i = 0; points && i < points->len; i++)
    {
      const DcPointInfo *info = g_ptr_array_index (points, i);
      gpointer ca_ptr = info->term_id ? g_hash_table_lookup (term_ca, info->term_id) : NULL;
      guint64 ioa, type;
      PointEntry *e;

      if (info->protocol_code == NULL ||
          !g_ascii_string_to_unsigned (info->protocol_code, 10, 0, 0xffffff, &ioa, NULL))
        continue;
      if (info->code_type == NULL ||
          !g_ascii_string_to_unsigned (info->code_type, 10, 1, 255, &type, NULL) ||
          dc_iec104_type_family (type) == DC_IEC104_FAMILY_NONE)
        continue;
      e = g_new0 (PointEntry, 1);
      e->key = _dc_iec104_point_hash_key (ca_ptr ? GPOINTER_TO_INT (ca_ptr) : 1, ioa);
      e->point_key = info->key;
      e->code_type = type;
      e->family = dc_iec104_type_family (type);
      e->coefficient = info->coefficient;
      e->base_val = info->base_val;
      g_hash_table_replace (points_map, &e->key, e);
    }

  *points_out = points_map;
  *cas_out = cas;
}


static void
dc_iec104_driver_start (DcDriver *driver)
{
  DcIec104Driver *self = DC_IEC104_DRIVER (driver);
  JsonObject *device = dc_driver_get_device (driver);
  GMainContext *context = dc_driver_get_io_context (driver);
  Link *link;
  const char *backup;

  if (self->link != NULL || device == NULL)
    return;
  if (!dc_json_get_bool (device, "enabled", TRUE))
    {
      dc_driver_set_link_state (driver, DC_LINK_DISABLED, NULL);
      return;
    }

  link = g_atomic_rc_box_new0 (Link);
  link->driver = self;
  link->handle_asdu = _dc_iec104_handle_asdu;
  link->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  link->loop = dc_io_loop_ref_for_context (link->context);
  link->device_id = g_strdup (dc_driver_get_device_id (driver));
  link->host[0] = g_strdup (dc_json_get_string (device, "ip", "127.0.0.1"));
  link->port[0] = (guint16) CLAMP (dc_json_get_int (device, "port", 2404), 1, 65535);
  backup = dc_json_get_string (device, "backup_ip", NULL);
  if (backup != NULL && *backup != '\0')
    {
      link->host[1] = g_strdup (backup);
      link->port[1] = (guint16) CLAMP (dc_json_get_int (device, "backup_port", link->port[0]),
                                       1, 65535);
    }
  link->k = (guint) CLAMP (dc_json_get_int (device, "k", 12), 1, 32767);
  link->w = (guint) CLAMP (dc_json_get_int (device, "w", 8), 1, 32767);
  link->t0 = seconds_to_us (device, "t0", 30);
  link->t1 = seconds_to_us (device, "t1", 15);
  link->t2 = seconds_to_us (device, "t2", 10);
  link->t3 = seconds_to_us (device, "t3", 20);
  link->gi_period = seconds_to_us (device, "gi_s", 900);
  link->ci_period = seconds_to_us (device, "ci_s", 0);
  link->clock_sync = dc_json_get_bool (device, "clock_sync", FALSE);
  link->tz = time_zone_from_config (dc_json_get_string (device, "time_zone", "UTC"));
  g_mutex_lock (&self->tz_lock);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  self->tz = link->tz ? g_time_zone_ref (link->tz) : NULL;
  g_mutex_unlock (&self->tz_lock);
  link->backoff = BACKOFF_MIN_US;

  build_point_map (driver, &link->points, &link->cas);

  link->inbuf = g_malloc (INBUF_SIZE);
  link->out = g_byte_array_new ();
  link->sent_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  link->batch = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), 256);
  link->objects = g_array_new (FALSE, TRUE, sizeof (DcIec104Object));
  g_queue_init (&link->tx_queue);

  self->link = link;
  dc_io_loop_invoke (link->loop, _dc_iec104_link_start_cb, _dc_iec104_link_ref (link),
                     (GDestroyNotify) _dc_iec104_link_unref);
}

static void
dc_iec104_driver_stop (DcDriver *driver)
{
  DcIec104Driver *self = DC_IEC104_DRIVER (driver);
  Link *link = g_steal_pointer (&self->link);

  if (link == NULL)
    return;
  link_invoke_sync (link, _dc_iec104_link_stop_cb, link);
  dc_driver_set_link_state (driver, DC_LINK_DISABLED, NULL);
  _dc_iec104_link_unref (link);
}

/* Points changed but not the link: swap the point map on the I/O thread, no reconnect. */

typedef struct
{
  Link       *link;
  GHashTable *points;
  GArray     *cas;
} MapUpdate;

static gboolean
map_update_cb (gpointer data)
{
  MapUpdate *u = data;
  Link *link = u->link;
  gboolean cas_changed;

  if (link->stopped)
    return G_SOURCE_REMOVE;
  cas_changed = u->cas->len != link->cas->len ||
                memcmp (u->cas->data, link->cas->data, u->cas->len * sizeof (guint16)) != 0;
  g_hash_table_unref (link->points);
  link->points = g_steal_pointer (&u->points);
  g_array_unref (link->cas);
  link->cas = g_steal_pointer (&u->cas);
  if (cas_changed && link->up)
    {
      /* A new common address gets its general interrogation now. */
      _dc_iec104_send_gi (link);
      _dc_iec104_link_flush (link);
      _dc_iec104_link_rearm (link);
    }
  return G_SOURCE_REMOVE;
}

static void
map_update_free (gpointer data)
{
  MapUpdate *u = data;

  g_clear_pointer (&u->points, g_hash_table_unref);
  g_clear_pointer (&u->cas, g_array_unref);
  _dc_iec104_link_unref (u->link);
  g_free (u);
}

static void
dc_iec104_driver_points_changed (DcDriver *driver)
{
  DcIec104Driver *self = DC_IEC104_DRIVER (driver);
  MapUpdate *u;

  if (self->link == NULL)
    return;
  u = g_new0 (MapUpdate, 1);
  u->link = _dc_iec104_link_ref (self->link);
  build_point_map (driver, &u->points, &u->cas);
  /* Synchronous: samples decoded after this returns use the new map. */
  link_invoke_sync (self->link, map_update_cb, u);
  map_update_free (u);
}

/* Requests: created on the main thread, run on the I/O thread. */

static gboolean
request_start_cb (gpointer data)
{
  Request *req = data;
  Link *link = req->link;
  g_autoptr(GError) error = NULL;

  if (link->stopped || !link->up)
    {
      g_task_return_error (req->task, dc_driver_error_offline (link->device_id));
      _dc_iec104_request_free (req);
      return G_SOURCE_REMOVE;
    }
  if (g_task_return_error_if_cancelled (req->task))
    {
      _dc_iec104_request_free (req);
      return G_SOURCE_REMOVE;
    }

  link->requests = g_list_append (link->requests, req);
  if (req->kind == REQ_CALL)
    {
      DcIec104Object o = { .ioa = req->ioa };

      _dc_iec104_build_and_queue (link, DC_IEC104_C_RD_NA_1, DC_IEC104_COT_REQUEST, req->ca, &o, NULL);
    }
  else if (!_dc_iec104_send_command (req, !req->direct, &error))
    {
      _dc_iec104_request_fail (req, g_error_new_literal (DC_ERROR, DC_ERROR_INVALID, error->message));
      return G_SOURCE_REMOVE;
    }
  _dc_iec104_link_flush (link);
  _dc_iec104_link_rearm (link);
  return G_SOURCE_REMOVE;
}

static gboolean
point_address (DcIec104Driver    *self,
               const DcPointInfo *point,
               guint16           *ca,
               guint32           *ioa,
               guint8            *type)
{
  GPtrArray *terms = dc_driver_get_terms (DC_DRIVER (self));
  guint64 v;

  *ca = 1;
  for (guint i = 0; terms && i < terms->len; i++)
    {
      JsonObject *term = g_ptr_array_index (terms, i);

      if (g_strcmp0 (dc_json_get_string (term, "id", NULL), point->term_id) == 0)
        *ca = (guint16) CLAMP (dc_json_get_int (term, "address", 1), 1, 65535);
    }
  if (point->protocol_code == NULL ||
      !g_ascii_string_to_unsigned (point->protocol_code, 10, 0, 0xffffff, &v, NULL))
    return FALSE;
  *ioa = (guint32) v;
  *type = 0;
  if (point->code_type != NULL &&
      g_ascii_string_to_unsigned (point->code_type, 10, 1, 255, &v, NULL))
    *type = (guint8) v;
  return TRUE;
}

static Request *
request_new (DcIec104Driver    *self,
             RequestKind        kind,
             gint64             deadline_us,
             GTask             *task)
{
  Request *req = g_new0 (Request, 1);
  gint64 now = g_get_monotonic_time ();

  req->kind = kind;
  req->task = task;
  req->link = _dc_iec104_link_ref (self->link);
  req->deadline = deadline_us > 0 ? deadline_us : now + 10 * G_USEC_PER_SEC;
  req->timeout_us = MAX (req->deadline - now, 0);
  /* Round "did not answer within 9.99 s" to whole seconds as the REST deadline was set. */
  req->timeout_us = ((req->timeout_us + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC) * G_USEC_PER_SEC;
  req->main_context = g_main_context_ref_thread_default ();
  return req;
}

static void
dispatch_request (DcIec104Driver *self,
                  Request        *req)
{
  /* The request holds a link reference: the link outlives a stop() in between. */
  dc_io_loop_invoke (self->link->loop, request_start_cb, req, NULL);
}

static void
dc_iec104_driver_call_async (DcDriver            *driver,
                             const DcPointInfo   *point,
                             gint64               deadline_us,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  DcIec104Driver *self = DC_IEC104_DRIVER (driver);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Request *req;
  guint16 ca;
  guint32 ioa;
  guint8 type;

  g_task_set_source_tag (task, dc_iec104_driver_call_async);
  if (self->link == NULL)
    {
      g_task_return_error (task, dc_driver_error_offline (dc_driver_get_device_id (driver)));
      return;
    }
  if (!point_address (self, point, &ca, &ioa, &type))
    {
      g_task_return_new_error (task, DC_ERROR, DC_ERROR_INVALID,
                               "protocol_code must be an IOA between 0 and 16777215");
      return;
    }
  req = request_new (self, REQ_CALL, deadline_us, g_steal_pointer (&task));
  req->phase = PHASE_READ_SENT;
  req->ca = ca;
  req->ioa = ioa;
  req->type = DC_IEC104_C_RD_NA_1;
  dispatch_request (self, req);
}

/* The value checks of the spec's Commands table; @raw is after inverse scaling. */
static gboolean
check_command_value (guint8    type,
                     double    raw,
                     double    value,
                     GError  **error)
{
  const char *name = dc_iec104_type_name (type);

  switch (type)
    {
    case 45: case 58:
      if (raw == 0 || raw == 1)
        return TRUE;
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "value %g is not allowed for a single command (use 0 or 1)", value);
      return FALSE;
    case 46: case 59:
      if (raw == 1 || raw == 2)
        return TRUE;
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "value %g is not allowed for a double command (use 1 or 2)", value);
      return FALSE;
    case 47: case 60:
      if (raw == 1 || raw == 2)
        return TRUE;
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "value %g is not allowed for a regulating step command (use 1 or 2)", value);
      return FALSE;
    case 48: case 61:
      if (raw >= -1.0 && raw <= 32767.0 / 32768.0)
        return TRUE;
      break;
    case 49: case 62:
      if (raw >= -32768 && raw <= 32767 && raw == floor (raw))
        return TRUE;
      break;
    case 50: case 63:
      if (isfinite (raw) && fabs (raw) <= G_MAXFLOAT)
        return TRUE;
      break;
    case 51: case 64:
      if (raw >= 0 && raw <= 4294967295.0 && raw == floor (raw))
        return TRUE;
      break;
    default:
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "point is read-only");
      return FALSE;
    }
  g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "value %g is out of range for %s", value, name);
  return FALSE;
}

static void
dc_iec104_driver_ctrl_async (DcDriver            *driver,
                             const DcPointInfo   *point,
                             double               value,
                             gint64               deadline_us,
                             DcCtrlProgressFunc   progress,
                             gpointer             progress_data,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  DcIec104Driver *self = DC_IEC104_DRIVER (driver);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  Request *req;
  guint16 ca;
  guint32 ioa;
  guint8 type;
  double raw;

  g_task_set_source_tag (task, dc_iec104_driver_ctrl_async);
  if (!point_address (self, point, &ca, &ioa, &type) || !dc_iec104_type_is_command (type))
    {
      g_task_return_new_error (task, DC_ERROR, DC_ERROR_INVALID, "point is read-only");
      return;
    }
  raw = point->coefficient != 0 ? (value - point->base_val) / point->coefficient : value;
  /* Undo the rounding noise of the inverse scaling for the integer commands. */
  if (fabs (raw - round (raw)) < 1e-9 && type != 48 && type != 61 && type != 50 && type != 63)
    raw = round (raw);
  if (!check_command_value (type, raw, value, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->link == NULL)
    {
      g_task_return_error (task, dc_driver_error_offline (dc_driver_get_device_id (driver)));
      return;
    }

  req = request_new (self, REQ_CTRL, deadline_us, g_steal_pointer (&task));
  req->ca = ca;
  req->ioa = ioa;
  req->type = type;
  req->raw = raw;
  req->value = value;
  req->direct = type == 51 || type == 64 ||
                (point->json != NULL && dc_json_get_bool (point->json, "direct", FALSE));
  req->phase = req->direct ? PHASE_EXECUTE_SENT : PHASE_SELECT_SENT;
  req->progress = progress;
  req->progress_data = progress_data;
  dispatch_request (self, req);
}

static void
dc_iec104_driver_add_status (DcDriver    *driver,
                             JsonBuilder *builder)
{
  DcIec104Driver *self = DC_IEC104_DRIVER (driver);
  DcIec104DriverStats s;

  dc_iec104_driver_get_stats (self, &s);
  json_builder_set_member_name (builder, "t1_timeouts");
  json_builder_add_int_value (builder, s.t1_timeouts);
  json_builder_set_member_name (builder, "k_max_used");
  json_builder_add_int_value (builder, s.k_max_used);
  json_builder_set_member_name (builder, "w_max_used");
  json_builder_add_int_value (builder, s.w_max_used);
  json_builder_set_member_name (builder, "gi_count");
  json_builder_add_int_value (builder, s.gi_sent);
  json_builder_set_member_name (builder, "ci_count");
  json_builder_add_int_value (builder, s.ci_sent);
  json_builder_set_member_name (builder, "clock_syncs");
  json_builder_add_int_value (builder, s.clock_syncs);
  json_builder_set_member_name (builder, "asdus_in");
  json_builder_add_int_value (builder, s.asdus_in);
  json_builder_set_member_name (builder, "asdus_dropped");
  json_builder_add_int_value (builder, s.asdus_dropped);
  json_builder_set_member_name (builder, "objects_in");
  json_builder_add_int_value (builder, s.objects_in);
  json_builder_set_member_name (builder, "unknown_objects");
  json_builder_add_int_value (builder, s.unknown_objects);
  json_builder_set_member_name (builder, "acks_held");
  json_builder_add_int_value (builder, s.acks_held);
  json_builder_set_member_name (builder, "end_of_init");
  json_builder_add_int_value (builder, s.end_of_init);
  json_builder_set_member_name (builder, "using_backup");
  json_builder_add_boolean_value (builder, s.using_backup);
}

static char *
dc_iec104_driver_decode_frame (DcDriver              *driver,
                               const DcTrafficFrame  *frame,
                               JsonObject           **decoded,
                               char                 **error)
{
  DcIec104Driver *self = DC_IEC104_DRIVER (driver);
  g_autoptr(GTimeZone) tz = NULL;

  g_mutex_lock (&self->tz_lock);
  tz = self->tz ? g_time_zone_ref (self->tz) : NULL;
  g_mutex_unlock (&self->tz_lock);

  return dc_iec104_decode_frame (frame->bytes, frame->len, tz, frame->time, decoded, error);
}

static void
dc_iec104_driver_dispose (GObject *object)
{
  dc_iec104_driver_stop (DC_DRIVER (object));

  G_OBJECT_CLASS (dc_iec104_driver_parent_class)->dispose (object);
}

static void
dc_iec104_driver_finalize (GObject *object)
{
  DcIec104Driver *self = DC_IEC104_DRIVER (object);

  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_mutex_clear (&self->tz_lock);

  G_OBJECT_CLASS (dc_iec104_driver_parent_class)->finalize (object);
}

static void
dc_iec104_driver_class_init (DcIec104DriverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  DcDriverClass *driver_class = DC_DRIVER_CLASS (klass);

  object_class->dispose = dc_iec104_driver_dispose;
  object_class->finalize = dc_iec104_driver_finalize;

  driver_class->start = dc_iec104_driver_start;
  driver_class->stop = dc_iec104_driver_stop;
  driver_class->points_changed = dc_iec104_driver_points_changed;
  driver_class->call_async = dc_iec104_driver_call_async;
  driver_class->ctrl_async = dc_iec104_driver_ctrl_async;
  driver_class->add_status = dc_iec104_driver_add_status;
  driver_class->decode_frame = dc_iec104_driver_decode_frame;
}

static void
dc_iec104_driver_init (DcIec104Driver *self)
{
  g_mutex_init (&self->tz_lock);
}

DcDriver *
dc_iec104_driver_new (void)
{
  return g_object_new (DC_TYPE_IEC104_DRIVER, NULL);
}

void
dc_iec104_driver_get_stats (DcIec104Driver      *self,
                            DcIec104DriverStats *s)
{
  g_return_if_fail (DC_IS_IEC104_DRIVER (self));
  g_return_if_fail (s != NULL);

  s->t1_timeouts = STAT_GET (self->stats.t1_timeouts);
  s->gi_sent = STAT_GET (self->stats.gi_sent);
  s->ci_sent = STAT_GET (self->stats.ci_sent);
  s->clock_syncs = STAT_GET (self->stats.clock_syncs);
  s->asdus_in = STAT_GET (self->stats.asdus_in);
  s->asdus_dropped = STAT_GET (self->stats.asdus_dropped);
  s->objects_in = STAT_GET (self->stats.objects_in);
  s->unknown_objects = STAT_GET (self->stats.unknown_objects);
  s->samples = STAT_GET (self->stats.samples);
  s->acks_held = STAT_GET (self->stats.acks_held);
  s->end_of_init = STAT_GET (self->stats.end_of_init);
  s->k_max_used = STAT_GET (self->stats.k_max_used);
  s->w_max_used = STAT_GET (self->stats.w_max_used);
  s->connected = STAT_GET (self->stats.connected);
  s->using_backup = STAT_GET (self->stats.using_backup);
}
