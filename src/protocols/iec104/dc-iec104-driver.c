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
#include "dc-iec104-codec.h"
#include "dc-iec104-driver.h"
#include "dc-iec104-io-private.h"
#include "dc-json-util.h"

#define STAT_ADD(field, n) __atomic_fetch_add (&(field), (n), __ATOMIC_RELAXED)
#define STAT_GET(field)    __atomic_load_n (&(field), __ATOMIC_RELAXED)
#define STAT_SET(field, v) __atomic_store_n (&(field), (v), __ATOMIC_RELAXED)
#define STAT_MAX(field, v) \
  G_STMT_START { if ((v) > STAT_GET (field)) STAT_SET (field, v); } G_STMT_END

#define CONGESTION_POLL_US (10 * 1000)
#define BACKOFF_MIN_US     G_USEC_PER_SEC
#define BACKOFF_MAX_US     (30 * G_USEC_PER_SEC)
#define INBUF_SIZE         (64 * 1024)

typedef struct
{
  gint64         key;      /* (CA << 24) | IOA, the hash key */
  gint64         point_key;
  guint8         code_type;
  DcIec104Family family;
  double         coefficient;
  double         base_val;
} PointEntry;

typedef enum
{
  REQ_CALL,
  REQ_CTRL,
} RequestKind;

typedef enum
{
  PHASE_SELECT_SENT,
  PHASE_EXECUTE_SENT,
  PHASE_READ_SENT,
} RequestPhase;

typedef struct _Link Link;

typedef struct
{
  RequestKind         kind;
  RequestPhase        phase;
  GTask              *task;
  Link               *link;
  guint16             ca;
  guint32             ioa;
  guint8              type;
  double              raw;        /* protocol value to send */
  double              value;      /* engineering value to confirm */
  gboolean            direct;
  gint64              deadline;
  gint64              timeout_us;
  PointEntry          entry;      /* for the call answer's scaling */
  DcCtrlProgressFunc  progress;
  gpointer            progress_data;
  GMainContext       *main_context;
} Request;

struct _Link
{
  DcIec104Driver  *driver;      /* borrowed: the link lives from start to stop */
  GMainContext    *context;
  gboolean         stopped;

  /* configuration (copied on the main thread) */
  char            *device_id;
  char            *host[2];
  guint16          port[2];
  guint            k, w;
  gint64           t0, t1, t2, t3;
  gint64           gi_period, ci_period;
  gboolean         clock_sync;
  GTimeZone       *tz;
  GHashTable      *points;      /* gint64 * → PointEntry */
  GArray          *cas;         /* guint16 */

  /* connection */
  GSocketClient   *client;
  GCancellable    *connect_cancel;
  GSocketConnection *connection;
  GSocket         *socket;
  GSource         *in_source;
  GSource         *out_source;
  GSource         *timer;
  guint8          *inbuf;
  gsize            inlen;
  GByteArray      *out;
  gboolean         connecting;
  gboolean         up;
  gint64           connect_deadline;
  gint64           reconnect_at;
  gint64           backoff;
  guint            target;      /* 0 primary, 1 backup */
  guint16          vs, vr, ack;
  guint            unacked_rx;
  gint64           rx_since;
  gint64           last_rx;
  gint64           startdt_sent;
  gint64           testfr_sent;
  GArray          *sent_times;  /* gint64 per outstanding I-frame, oldest first */
  GQueue           tx_queue;    /* GBytes ASDUs waiting for the window */
  gint64           next_gi;
  gint64           next_ci;

  GList           *requests;    /* Request */
  GArray          *batch;       /* DcSample */
  GArray          *objects;     /* DcIec104Object, reused */
};

struct _DcIec104Driver
{
  DcDriver             parent_instance;

  Link                *link;
  GMutex               tz_lock;
  GTimeZone           *tz;
  DcIec104DriverStats  stats;
};

G_DEFINE_FINAL_TYPE (DcIec104Driver, dc_iec104_driver, DC_TYPE_DRIVER)

static void link_close     (Link       *link,
                            const char *error_text);
static void link_rearm     (Link       *link);
static void link_flush     (Link       *link);
static void request_fail  (Request    *req,
                            GError     *error);

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

static inline gint64
point_hash_key (guint16 ca,
                guint32 ioa)
{
  return ((gint64) ca << 24) | (ioa & 0xffffff);
}

static Link *
link_ref (Link *link)
{
  return g_atomic_rc_box_acquire (link);
}

static void
link_clear (Link *link)
{
  g_free (link->device_id);
  g_free (link->host[0]);
  g_free (link->host[1]);
  g_clear_pointer (&link->tz, g_time_zone_unref);
  g_clear_pointer (&link->points, g_hash_table_unref);
  g_clear_pointer (&link->cas, g_array_unref);
  g_clear_pointer (&link->context, g_main_context_unref);
  g_clear_pointer (&link->sent_times, g_array_unref);
  g_clear_pointer (&link->batch, g_array_unref);
  g_clear_pointer (&link->objects, g_array_unref);
  g_clear_pointer (&link->out, g_byte_array_unref);
  g_clear_pointer (&link->inbuf, g_free);
  g_queue_clear_full (&link->tx_queue, (GDestroyNotify) g_bytes_unref);
}

static void
link_unref (Link *link)
{
  g_atomic_rc_box_release_full (link, (GDestroyNotify) link_clear);
}

/* Progress and results go to the caller's main context. */

typedef struct
{
  DcCtrlProgressFunc  func;
  gpointer            data;
  DcCtrlStep          step;
  char               *detail;
} Progress;

static gboolean
progress_cb (gpointer data)
{
  Progress *p = data;

  p->func (p->step, p->detail, p->data);
  return G_SOURCE_REMOVE;
}

static void
progress_free (gpointer data)
{
  Progress *p = data;

  g_free (p->detail);
  g_free (p);
}

static void
request_progress (Request    *req,
                  DcCtrlStep  step,
                  const char *detail)
{
  Progress *p;

  if (req->progress == NULL)
    return;
  p = g_new0 (Progress, 1);
  p->func = req->progress;
  p->data = req->progress_data;
  p->step = step;
  p->detail = g_strdup (detail);
  g_main_context_invoke_full (req->main_context, G_PRIORITY_DEFAULT, progress_cb, p, progress_free);
}

static void
request_free (Request *req)
{
  g_clear_object (&req->task);
  g_clear_pointer (&req->main_context, g_main_context_unref);
  g_clear_pointer (&req->link, link_unref);
  g_free (req);
}

static void
request_remove (Request *req)
{
  req->link->requests = g_list_remove (req->link->requests, req);
  request_free (req);
}

static void
request_fail (Request *req,
              GError  *error)
{
  if (req->kind == REQ_CTRL)
    request_progress (req, DC_CTRL_STEP_FAILED, error->message);
  g_task_return_error (req->task, error);
  request_remove (req);
}

static void
fail_all_requests (Link *link)
{
  while (link->requests)
    request_fail (link->requests->data, dc_driver_error_offline (link->device_id));
}

/* Sending */

static void
traffic (Link         *link,
         gboolean      incoming,
         const guint8 *bytes,
         gsize         len)
{
  DcDriver *driver = DC_DRIVER (link->driver);

  dc_traffic_append (dc_driver_get_traffic (driver), incoming, bytes, len);
  dc_driver_count_frame (driver, incoming, len);
}

static void
link_write (Link         *link,
            const guint8 *frame,
            gsize         len)
{
  traffic (link, FALSE, frame, len);
  g_byte_array_append (link->out, frame, len);
}

static void
send_s (Link *link)
{
  guint8 s[6];

  STAT_MAX (link->driver->stats.w_max_used, link->unacked_rx);
  link_write (link, s, dc_iec104_build_s (s, link->vr));
  link->unacked_rx = 0;
}

static void
send_u (Link              *link,
        DcIec104UFunction  function)
{
  guint8 u[6];

  link_write (link, u, dc_iec104_build_u (u, function));
}

static guint
outstanding (Link *link)
{
  return (link->vs - link->ack) & 0x7fff;
}

static void
send_i (Link         *link,
        const guint8 *asdu,
        gsize         len)
{
  guint8 frame[DC_IEC104_MAX_FRAME];
  gsize n = dc_iec104_build_i (frame, link->vs, link->vr, asdu, len);
  gint64 now = g_get_monotonic_time ();

  STAT_MAX (link->driver->stats.w_max_used, link->unacked_rx);
  link->vs = (link->vs + 1) & 0x7fff;
  link->unacked_rx = 0;
  g_array_append_val (link->sent_times, now);
  STAT_MAX (link->driver->stats.k_max_used, outstanding (link));
  link_write (link, frame, n);
}

/* Queues an ASDU; it goes out when the k window allows. */
static void
queue_asdu (Link         *link,
            const guint8 *asdu,
            gsize         len)
{
  g_queue_push_tail (&link->tx_queue, g_bytes_new (asdu, len));
}

static gboolean
build_and_queue (Link           *link,
                 guint8          type,
                 guint8          cause,
                 guint16         ca,
                 DcIec104Object *o,
                 GError        **error)
{
  DcIec104Asdu h = { .type = type, .cause = cause, .ca = ca };
  guint8 buf[DC_IEC104_MAX_ASDU];
  gsize len = dc_iec104_build_asdu (buf, sizeof buf, &h, o, 1, error);

  if (len == 0)
    return FALSE;
  queue_asdu (link, buf, len);
  return TRUE;
}

static void
send_interrogation (Link    *link,
                    guint8   type,
                    guint8   qualifier)
{
  for (guint i = 0; i < link->cas->len; i++)
    {
      DcIec104Object o = { .ioa = 0, .value = qualifier };
      guint16 ca = g_array_index (link->cas, guint16, i);

      build_and_queue (link, type, DC_IEC104_COT_ACT, ca, &o, NULL);
    }
  if (type == DC_IEC104_C_IC_NA_1)
    STAT_ADD (link->driver->stats.gi_sent, link->cas->len);
  else
    STAT_ADD (link->driver->stats.ci_sent, link->cas->len);
}

static void
send_gi (Link *link)
{
  send_interrogation (link, DC_IEC104_C_IC_NA_1, 20);
  link->next_gi = link->gi_period > 0 ? g_get_monotonic_time () + link->gi_period : 0;
}

static void
send_ci (Link *link)
{
  /* QCC: RQT 5 (general counter request), FRZ 0 (read). */
  send_interrogation (link, DC_IEC104_C_CI_NA_1, 5);
  link->next_ci = link->ci_period > 0 ? g_get_monotonic_time () + link->ci_period : 0;
}

static void
send_clock_sync (Link *link)
{
  for (guint i = 0; i < link->cas->len; i++)
    {
      DcIec104Object o = { .ioa = 0 };

      dc_iec104_time_from_us (&o.time, g_get_real_time (), link->tz);
      build_and_queue (link, DC_IEC104_C_CS_NA_1, DC_IEC104_COT_ACT,
                       g_array_index (link->cas, guint16, i), &o, NULL);
    }
  STAT_ADD (link->driver->stats.clock_syncs, 1);
}

static gboolean
out_ready_cb (GSocket      *socket,
              GIOCondition  condition,
              gpointer      user_data)
{
  link_flush (user_data);
  return G_SOURCE_CONTINUE;
}

static void
link_flush (Link *link)
{
  g_autoptr(GError) error = NULL;

  if (link->socket == NULL)
    return;

  while (link->up && !g_queue_is_empty (&link->tx_queue) && outstanding (link) < link->k)
    {
      g_autoptr(GBytes) asdu = g_queue_pop_head (&link->tx_queue);
      gsize len;
      const guint8 *data = g_bytes_get_data (asdu, &len);

      send_i (link, data, len);
    }

  if (!dc_iec104_send_out (link->socket, link->out, &error))
    {
      link_close (link, error->message);
      return;
    }
  dc_iec104_watch_out (link->socket, link->out, &link->out_source, out_ready_cb, link,
                       link->context);
}

/* Samples */

static void
push_batch (Link *link)
{
  DcDriver *driver = DC_DRIVER (link->driver);
  GArray *batch;

  if (link->batch->len == 0)
    return;
  batch = link->batch;
  link->batch = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), 256);
  STAT_ADD (link->driver->stats.samples, batch->len);
  dc_sample_sink_push_batch (dc_driver_get_sink (driver), batch);
}

static gboolean
sink_congested (Link *link)
{
  DcSampleSink *sink = dc_driver_get_sink (DC_DRIVER (link->driver));

  return sink != NULL && dc_sample_sink_is_congested (sink);
}

static gboolean
cause_delivers_samples (guint8 cause)
{
  return cause == 1 || cause == 2 || cause == 3 || cause == 5 || cause == 11 || cause == 12 ||
         (cause >= 20 && cause <= 41);
}

static void
object_to_sample (Link                 *link,
                  const PointEntry     *entry,
                  const DcIec104Object *o,
                  gint64                receive_us,
                  DcSample             *s)
{
  s->key = entry->point_key;
  s->value = o->value * entry->coefficient + entry->base_val;
  s->quality = o->quality;
  if (!isfinite (s->value))
    s->quality |= DC_QUALITY_INVALID;
  s->time = receive_us;
  if (o->time_kind == DC_IEC104_TIME_CP56)
    {
      if (!dc_iec104_time_to_us (&o->time, link->tz, &s->time))
        {
          s->time = receive_us;
          s->quality |= DC_QUALITY_TIME_INVALID;
        }
    }
  else if (o->time_kind == DC_IEC104_TIME_CP24)
    s->time = dc_iec104_cp24_to_us (&o->time, receive_us, link->tz);
}

static Request *
find_request (Link    *link,
              RequestKind kind,
              guint16  ca,
              guint32  ioa,
              guint8   type)
{
  for (GList *l = link->requests; l; l = l->next)
    {
      Request *req = l->data;

      if (req->kind == kind && req->ca == ca && req->ioa == ioa && (type == 0 || req->type == type))
        return req;
    }
  return NULL;
}

static void
handle_monitor (Link               *link,
                const DcIec104Asdu *h,
                gint64              receive_us)
{
  DcIec104Family family = dc_iec104_type_family (h->type);

  if (!cause_delivers_samples (h->cause) || h->negative)
    return;

  for (guint i = 0; i < link->objects->len; i++)
    {
      const DcIec104Object *o = &g_array_index (link->objects, DcIec104Object, i);
      gint64 key = point_hash_key (h->ca, o->ioa);
      const PointEntry *entry = g_hash_table_lookup (link->points, &key);
      DcSample s;

      if (entry == NULL ||
          (entry->family != family && entry->family != DC_IEC104_FAMILY_COMMAND))
        {
          STAT_ADD (link->driver->stats.unknown_objects, 1);
          continue;
        }
      object_to_sample (link, entry, o, receive_us, &s);

      if (h->cause == DC_IEC104_COT_REQUEST)
        {
          Request *req = find_request (link, REQ_CALL, h->ca, o->ioa, 0);

          if (req != NULL)
            {
              /* The engine stores a call's answer itself. */
              g_task_return_pointer (req->task, g_memdup2 (&s, sizeof s), g_free);
              request_remove (req);
              continue;
            }
        }
      g_array_append_val (link->batch, s);
    }
}

static char *
cause_reason (const DcIec104Asdu *h)
{
  const char *tname = dc_iec104_type_name (h->type);
  const char *cname = dc_iec104_cause_name (h->cause);

  if (h->cause >= 44 && h->cause <= 47)
    return g_strdup_printf ("%s (cause %u)", cname, h->cause);
  return g_strdup_printf ("negative confirmation (%s %s P/N=1)", tname ? tname : "?",
                          cname ? cname : "?");
}

static gboolean
send_command (Request  *req,
              gboolean  select,
              GError  **error)
{
  DcIec104Object o = { .ioa = req->ioa, .value = req->raw };

  if (select)
    o.qualifier = 0x80;
  if (dc_iec104_type_time (req->type) == DC_IEC104_TIME_CP56)
    dc_iec104_time_from_us (&o.time, g_get_real_time (), req->link->tz);
  if (!build_and_queue (req->link, req->type, DC_IEC104_COT_ACT, req->ca, &o, error))
    return FALSE;
  request_progress (req, select ? DC_CTRL_STEP_SELECT_SENT : DC_CTRL_STEP_EXECUTE_SENT, NULL);
  return TRUE;
}

static void
handle_command_reply (Link               *link,
                      const DcIec104Asdu *h)
{
  const DcIec104Object *o = &g_array_index (link->objects, DcIec104Object, 0);
  Request *req = find_request (link, REQ_CTRL, h->ca, o->ioa, h->type);

  if (req == NULL)
    return;  /* a late or foreign answer: logged in the traffic ring only */

  if (h->negative || (h->cause >= 44 && h->cause <= 47))
    {
      g_autofree char *reason = cause_reason (h);

      request_fail (req, dc_driver_error_rejected (link->device_id, reason));
      return;
    }

  if (h->cause == DC_IEC104_COT_ACTTERM)
    {
      request_progress (req, DC_CTRL_STEP_TERMINATED, NULL);
      return;
    }
  if (h->cause != DC_IEC104_COT_ACTCON)
    return;

  if (req->phase == PHASE_SELECT_SENT && (o->qualifier & 0x80))
    {
      g_autoptr(GError) error = NULL;

      request_progress (req, DC_CTRL_STEP_SELECTED, NULL);
      req->phase = PHASE_EXECUTE_SENT;
      if (!send_command (req, FALSE, &error))
        request_fail (req, g_error_new_literal (DC_ERROR, DC_ERROR_INVALID, error->message));
      return;
    }
  if (req->phase == PHASE_EXECUTE_SENT && !(o->qualifier & 0x80))
    {
      double *confirmed = g_new (double, 1);

      *confirmed = req->value;
      request_progress (req, DC_CTRL_STEP_CONFIRMED, NULL);
      g_task_return_pointer (req->task, confirmed, g_free);
      request_remove (req);
    }
}

static void
handle_asdu (Link         *link,
             const guint8 *asdu,
             gsize         len,
             gint64        receive_us)
{
  g_autoptr(GError) error = NULL;
  DcIec104Asdu h;

  STAT_ADD (link->driver->stats.asdus_in, 1);
  if (!dc_iec104_parse_asdu (asdu, len, &h, link->objects, &error))
    {
      STAT_ADD (link->driver->stats.asdus_dropped, 1);
      g_debug ("%s: dropping ASDU: %s", link->device_id, error->message);
      /* A read answered with an error cause still fails the call. */
      if (len >= 9 && asdu[0] == DC_IEC104_C_RD_NA_1)
        {
          Request *req = find_request (link, REQ_CALL, asdu[4] | (asdu[5] << 8),
                                       asdu[6] | (asdu[7] << 8) | (asdu[8] << 16), 0);
          if (req)
            request_fail (req, dc_driver_error_rejected (link->device_id, error->message));
        }
      return;
    }
  STAT_ADD (link->driver->stats.objects_in, link->objects->len);

  switch (dc_iec104_type_family (h.type))
    {
    case DC_IEC104_FAMILY_COMMAND:
      handle_command_reply (link, &h);
      break;

    case DC_IEC104_FAMILY_SYSTEM:
      if (h.type == DC_IEC104_M_EI_NA_1)
        {
          STAT_ADD (link->driver->stats.end_of_init, 1);
          send_gi (link);
        }
      else if (h.type == DC_IEC104_C_RD_NA_1 && (h.negative || h.cause >= 44))
        {
          const DcIec104Object *o = &g_array_index (link->objects, DcIec104Object, 0);
          Request *req = find_request (link, REQ_CALL, h.ca, o->ioa, 0);

          if (req)
            {
              g_autofree char *reason = cause_reason (&h);

              request_fail (req, dc_driver_error_rejected (link->device_id, reason));
            }
        }
      break;

    case DC_IEC104_FAMILY_NONE:
      break;

    default:
      handle_monitor (link, &h, receive_us);
      break;
    }
}

/* Receiving */

static void
acknowledge (Link *link,
             guint16 nr)
{
  guint acked = (nr - link->ack) & 0x7fff;

  if (acked > link->sent_times->len)
    acked = link->sent_times->len;
  if (acked > 0)
    g_array_remove_range (link->sent_times, 0, acked);
  link->ack = nr;
}

static gboolean
handle_frame (Link         *link,
              const guint8 *frame,
              gsize         len,
              gint64        now_real)
{
  g_autoptr(GError) error = NULL;
  DcIec104Apci apci;

  traffic (link, TRUE, frame, len);
  if (!dc_iec104_parse_apci (frame, len, &apci, &error))
    {
      link_close (link, error->message);
      return FALSE;
    }

  switch (apci.kind)
    {
    case DC_IEC104_FRAME_U:
      switch (apci.u)
        {
        case DC_IEC104_U_STARTDT_CON:
          if (link->startdt_sent != 0)
            {
              DcIec104Driver *driver = link->driver;

              link->startdt_sent = 0;
              link->up = TRUE;
              link->backoff = BACKOFF_MIN_US;
              STAT_SET (driver->stats.connected, 1);
              STAT_SET (driver->stats.using_backup, link->target);
              dc_driver_set_link_state (DC_DRIVER (driver), DC_LINK_UP, NULL);
              send_gi (link);
              if (link->clock_sync)
                send_clock_sync (link);
              if (link->ci_period > 0)
                send_ci (link);
            }
          break;
        case DC_IEC104_U_TESTFR_ACT:
          send_u (link, DC_IEC104_U_TESTFR_CON);
          break;
        case DC_IEC104_U_TESTFR_CON:
          link->testfr_sent = 0;
          break;
        case DC_IEC104_U_STOPDT_ACT:
          send_u (link, DC_IEC104_U_STOPDT_CON);
          link_flush (link);
          link_close (link, "the outstation sent STOPDT");
          return FALSE;
        default:
          break;
        }
      return TRUE;

    case DC_IEC104_FRAME_S:
    case DC_IEC104_FRAME_I:
    default:
      if (((link->vs - apci.nr) & 0x7fff) > outstanding (link))
        {
          g_autofree char *text = g_strdup_printf ("sequence error: N(R)=%u acknowledges frames "
                                                   "not sent (N(S)=%u)", apci.nr, link->vs);
          link_close (link, text);
          return FALSE;
        }
      acknowledge (link, apci.nr);
      if (apci.kind == DC_IEC104_FRAME_S)
        return TRUE;
      break;
    }

  if (apci.ns != link->vr)
    {
      g_autofree char *text = g_strdup_printf ("sequence error: N(S)=%u, expected %u",
                                               apci.ns, link->vr);
      link_close (link, text);
      return FALSE;
    }
  link->vr = (link->vr + 1) & 0x7fff;
  if (link->unacked_rx++ == 0)
    link->rx_since = g_get_monotonic_time ();
  handle_asdu (link, apci.asdu, apci.asdu_len, now_real);
  return TRUE;
}

static void
maybe_acknowledge (Link   *link,
                   gint64  now)
{
  if (link->unacked_rx == 0 || link->socket == NULL)
    return;
  if (now - link->rx_since >= link->t2)
    send_s (link);
  else if (link->unacked_rx >= link->w)
    {
      if (sink_congested (link))
        STAT_ADD (link->driver->stats.acks_held, 1);
      else
        send_s (link);
    }
}

static gboolean
in_ready_cb (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  Link *link = user_data;
  g_autoptr(GError) error = NULL;
  gint64 now_real = g_get_real_time ();
  gsize off = 0;
  gssize n;

  n = g_socket_receive (socket, (char *) link->inbuf + link->inlen, INBUF_SIZE - link->inlen,
                        NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      push_batch (link);
      link_close (link, error ? error->message : "the outstation closed the connection");
      return G_SOURCE_REMOVE;
    }
  link->inlen += n;
  link->last_rx = g_get_monotonic_time ();

  while (link->socket != NULL)
    {
      g_autoptr(GError) frame_error = NULL;
      gssize flen = dc_iec104_frame_length (link->inbuf + off, link->inlen - off, &frame_error);

      if (flen == 0)
        break;
      if (flen < 0)
        {
          push_batch (link);
          link_close (link, frame_error->message);
          return G_SOURCE_REMOVE;
        }
      if (!handle_frame (link, link->inbuf + off, flen, now_real))
        {
          push_batch (link);
          return G_SOURCE_REMOVE;
        }
      off += flen;
      /* Acknowledge inside a long read too, as soon as w frames are in. */
      if (link->unacked_rx >= link->w)
        {
          push_batch (link);
          maybe_acknowledge (link, link->last_rx);
        }
    }
  if (link->socket == NULL)
    return G_SOURCE_REMOVE;

  memmove (link->inbuf, link->inbuf + off, link->inlen - off);
  link->inlen -= off;

  push_batch (link);
  maybe_acknowledge (link, link->last_rx);
  link_flush (link);
  if (link->socket != NULL)
    link_rearm (link);
  return link->socket != NULL ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Connection */

static void
link_disconnect (Link *link)
{
  if (link->connect_cancel)
    {
      g_cancellable_cancel (link->connect_cancel);
      g_clear_object (&link->connect_cancel);
    }
  if (link->in_source)
    {
      g_source_destroy (link->in_source);
      g_clear_pointer (&link->in_source, g_source_unref);
    }
  if (link->out_source)
    {
      g_source_destroy (link->out_source);
      g_clear_pointer (&link->out_source, g_source_unref);
    }
  if (link->connection)
    g_io_stream_close (G_IO_STREAM (link->connection), NULL, NULL);
  g_clear_object (&link->connection);
  link->socket = NULL;
  link->connecting = FALSE;
  link->up = FALSE;
  link->inlen = 0;
  g_byte_array_set_size (link->out, 0);
  g_array_set_size (link->sent_times, 0);
  g_queue_clear_full (&link->tx_queue, (GDestroyNotify) g_bytes_unref);
  g_queue_init (&link->tx_queue);
  link->vs = link->vr = link->ack = 0;
  link->unacked_rx = 0;
  link->startdt_sent = link->testfr_sent = 0;
}

static void
link_close (Link       *link,
            const char *error_text)
{
  gint64 now = g_get_monotonic_time ();

  g_debug ("%s: closing: %s", link->device_id, error_text);
  link_disconnect (link);
  fail_all_requests (link);
  STAT_SET (link->driver->stats.connected, 0);
  dc_driver_set_link_state (DC_DRIVER (link->driver), DC_LINK_DOWN, error_text);
  dc_driver_count_reconnect (DC_DRIVER (link->driver));

  /* Alternate to the backup address; back off after each full round. */
  if (link->host[1] != NULL)
    link->target = !link->target;
  if (link->host[1] == NULL || link->target == 0)
    {
      link->reconnect_at = now + link->backoff;
      link->backoff = MIN (link->backoff * 2, BACKOFF_MAX_US);
    }
  else
    link->reconnect_at = now + BACKOFF_MIN_US / 10;
  link_rearm (link);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Link *link = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (link->stopped || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gboolean timed_out = !link->stopped && link->connect_deadline == -1;

      g_clear_object (&connection);
      if (timed_out)
        {
          link->connecting = FALSE;
          link_close (link, "connection timed out (t0)");
        }
      link_unref (link);
      return;
    }
  g_clear_object (&link->connect_cancel);
  link->connecting = FALSE;
  link->connect_deadline = 0;
  if (connection == NULL)
    {
      link_close (link, error->message);
      link_unref (link);
      return;
    }

  link->connection = connection;
  link->socket = g_socket_connection_get_socket (connection);
  g_socket_set_blocking (link->socket, FALSE);
  g_socket_set_option (link->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  link->in_source = g_socket_create_source (link->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (link->in_source, (GSourceFunc) (void (*)(void)) in_ready_cb, link, NULL);
  g_source_attach (link->in_source, link->context);

  link->last_rx = g_get_monotonic_time ();
  link->startdt_sent = link->last_rx;
  send_u (link, DC_IEC104_U_STARTDT_ACT);
  link_flush (link);
  link_rearm (link);
  link_unref (link);
}

static void
link_connect (Link *link)
{
  guint t = link->target;

  link->reconnect_at = 0;
  link->connecting = TRUE;
  link->connect_deadline = g_get_monotonic_time () + link->t0;
  link->connect_cancel = g_cancellable_new ();
  dc_driver_set_link_state (DC_DRIVER (link->driver), DC_LINK_CONNECTING, NULL);

  g_main_context_push_thread_default (link->context);
  g_socket_client_connect_to_host_async (link->client, link->host[t], link->port[t],
                                         link->connect_cancel, connected_cb, link_ref (link));
  g_main_context_pop_thread_default (link->context);
  link_rearm (link);
}

/* Timers: one source per link, re-armed to the earliest deadline. */

static void
consider (gint64 *earliest,
          gint64  when)
{
  if (when > 0 && (*earliest < 0 || when < *earliest))
    *earliest = when;
}

static void
link_rearm (Link *link)
{
  gint64 t = -1;

  if (link->timer == NULL)
    return;
  for (GList *l = link->requests; l; l = l->next)
    consider (&t, ((Request *) l->data)->deadline);
  if (link->connecting)
    consider (&t, link->connect_deadline);
  else if (link->socket == NULL)
    consider (&t, link->reconnect_at);
  else
    {
      if (link->startdt_sent)
        consider (&t, link->startdt_sent + link->t1);
      if (link->testfr_sent)
        consider (&t, link->testfr_sent + link->t1);
      else
        consider (&t, link->last_rx + link->t3);
      if (link->sent_times->len > 0)
        consider (&t, g_array_index (link->sent_times, gint64, 0) + link->t1);
      if (link->unacked_rx > 0)
        {
          consider (&t, link->rx_since + link->t2);
          if (link->unacked_rx >= link->w)
            consider (&t, g_get_monotonic_time () + CONGESTION_POLL_US);
        }
      if (link->up)
        {
          consider (&t, link->next_gi);
          consider (&t, link->next_ci);
        }
    }
  g_source_set_ready_time (link->timer, t);
}

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs timer_funcs = { NULL, NULL, timer_dispatch, NULL, NULL, NULL };

static gboolean
timer_cb (gpointer user_data)
{
  Link *link = user_data;
  gint64 now = g_get_monotonic_time ();

  for (GList *l = link->requests; l; )
    {
      Request *req = l->data;

      l = l->next;
      if (req->deadline > 0 && now >= req->deadline)
        request_fail (req, dc_driver_error_timeout (link->device_id, req->timeout_us));
    }

  if (link->connecting)
    {
      if (now >= link->connect_deadline && link->connect_cancel)
        {
          link->connect_deadline = -1;  /* tells connected_cb that t0 cancelled */
          g_cancellable_cancel (link->connect_cancel);
        }
    }
  else if (link->socket == NULL)
    {
      if (link->reconnect_at > 0 && now >= link->reconnect_at)
        link_connect (link);
    }
  else
    {
      gboolean t1 = (link->startdt_sent && now >= link->startdt_sent + link->t1) ||
                    (link->testfr_sent && now >= link->testfr_sent + link->t1) ||
                    (link->sent_times->len > 0 &&
                     now >= g_array_index (link->sent_times, gint64, 0) + link->t1);

      if (t1)
        {
          STAT_ADD (link->driver->stats.t1_timeouts, 1);
          link_close (link, "no acknowledgement within t1");
          return G_SOURCE_CONTINUE;
        }
      maybe_acknowledge (link, now);
      if (!link->testfr_sent && now >= link->last_rx + link->t3)
        {
          link->testfr_sent = now;
          send_u (link, DC_IEC104_U_TESTFR_ACT);
        }
      if (link->up && link->next_gi > 0 && now >= link->next_gi)
        send_gi (link);
      if (link->up && link->next_ci > 0 && now >= link->next_ci)
        send_ci (link);
      link_flush (link);
    }
  link_rearm (link);
  return G_SOURCE_CONTINUE;
}

/* Start/stop on the I/O thread */

static gboolean
link_start_cb (gpointer data)
{
  Link *link = data;

  if (link->stopped)
    return G_SOURCE_REMOVE;
  link->client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (link->client, FALSE);
  link->timer = g_source_new (&timer_funcs, sizeof (GSource));
  g_source_set_callback (link->timer, timer_cb, link, NULL);
  g_source_attach (link->timer, link->context);
  link_connect (link);
  return G_SOURCE_REMOVE;
}

static gboolean
link_stop_cb (gpointer data)
{
  Link *link = data;

  link->stopped = TRUE;
  link_disconnect (link);
  fail_all_requests (link);
  if (link->timer)
    {
      g_source_destroy (link->timer);
      g_clear_pointer (&link->timer, g_source_unref);
    }
  g_clear_object (&link->client);
  push_batch (link);  /* never drop what was received */
  return G_SOURCE_REMOVE;
}

/* DcDriver vfuncs (main thread) */

/* Runs @func on the link's thread and waits. Without an I/O context set, the link runs on the
 * caller's (main) context: call it directly. */
static void
link_invoke_sync (DcDriver    *driver,
                  GSourceFunc  func,
                  gpointer     data)
{
  if (dc_driver_get_io_context (driver) == NULL)
    func (data);
  else
    dc_driver_io_invoke_sync (driver, func, data);
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
      e->key = point_hash_key (ca_ptr ? GPOINTER_TO_INT (ca_ptr) : 1, ioa);
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
  link->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
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
  g_main_context_invoke_full (link->context, G_PRIORITY_DEFAULT, link_start_cb, link_ref (link),
                              (GDestroyNotify) link_unref);
}

static void
dc_iec104_driver_stop (DcDriver *driver)
{
  DcIec104Driver *self = DC_IEC104_DRIVER (driver);
  Link *link = g_steal_pointer (&self->link);

  if (link == NULL)
    return;
  link_invoke_sync (driver, link_stop_cb, link);
  dc_driver_set_link_state (driver, DC_LINK_DISABLED, NULL);
  link_unref (link);
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
      send_gi (link);
      link_flush (link);
      link_rearm (link);
    }
  return G_SOURCE_REMOVE;
}

static void
map_update_free (gpointer data)
{
  MapUpdate *u = data;

  g_clear_pointer (&u->points, g_hash_table_unref);
  g_clear_pointer (&u->cas, g_array_unref);
  link_unref (u->link);
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
  u->link = link_ref (self->link);
  build_point_map (driver, &u->points, &u->cas);
  /* Synchronous: samples decoded after this returns use the new map. */
  link_invoke_sync (driver, map_update_cb, u);
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
      request_free (req);
      return G_SOURCE_REMOVE;
    }
  if (g_task_return_error_if_cancelled (req->task))
    {
      request_free (req);
      return G_SOURCE_REMOVE;
    }

  link->requests = g_list_append (link->requests, req);
  if (req->kind == REQ_CALL)
    {
      DcIec104Object o = { .ioa = req->ioa };

      build_and_queue (link, DC_IEC104_C_RD_NA_1, DC_IEC104_COT_REQUEST, req->ca, &o, NULL);
    }
  else if (!send_command (req, !req->direct, &error))
    {
      request_fail (req, g_error_new_literal (DC_ERROR, DC_ERROR_INVALID, error->message));
      return G_SOURCE_REMOVE;
    }
  link_flush (link);
  link_rearm (link);
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
  req->link = link_ref (self->link);
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
  g_main_context_invoke_full (self->link->context, G_PRIORITY_DEFAULT, request_start_cb, req, NULL);
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
