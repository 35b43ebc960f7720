/* dc-iec104-driver-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The IEC 104 master's parts: the driver (dc-iec104-driver.c, main thread), its link on the I/O
 * thread (dc-iec104-link.c: sending, receiving, connection, timers) and the link's ASDU handling
 * (dc-iec104-link-asdu.c: monitor objects to samples, command confirmations).
 */

#pragma once

#include "dc-iec104-codec.h"
#include "dc-iec104-driver.h"
#include "dc-io-loop.h"

G_BEGIN_DECLS

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
  /* dc-iec104-link-asdu.c, set by the driver: the link hands it every ASDU received. */
  void           (*handle_asdu) (Link         *link,
                                 const guint8 *asdu,
                                 gsize         len,
                                 gint64        receive_us);
  GMainContext    *context;     /* the loop's (GSocketClient connects there) */
  DcIoLoop        *loop;        /* the I/O thread's loop: the watch and the timer */
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
  DcIoWatch       *watch;       /* readable, and writable while out holds bytes */
  DcIoTimer        timer;       /* the earliest deadline (_dc_iec104_link_rearm) */
  gboolean         timer_live;  /* between start and stop */
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

static inline gint64
_dc_iec104_point_hash_key (guint16 ca,
                           guint32 ioa)
{
  return ((gint64) ca << 24) | (ioa & 0xffffff);
}

struct _DcIec104Driver
{
  DcDriver             parent_instance;

  Link                *link;
  GMutex               tz_lock;
  GTimeZone           *tz;
  DcIec104DriverStats  stats;
};

/* dc-iec104-link.c and dc-iec104-link-asdu.c: the link on the I/O thread. */

Link *   _dc_iec104_link_ref         (Link           *link);
void     _dc_iec104_link_unref       (Link           *link);
void     _dc_iec104_request_progress (Request        *req,
                                      DcCtrlStep     step,
                                      const char     *detail);
void     _dc_iec104_request_free     (Request        *req);
void     _dc_iec104_request_remove   (Request        *req);
void     _dc_iec104_request_fail     (Request        *req,
                                      GError         *error);
void     _dc_iec104_traffic          (Link           *link,
                                      gboolean       incoming,
                                      const guint8   *bytes,
                                      gsize          len);
gboolean _dc_iec104_build_and_queue  (Link           *link,
                                      guint8         type,
                                      guint8         cause,
                                      guint16        ca,
                                      DcIec104Object *o,
                                      GError         **error);
void     _dc_iec104_send_gi          (Link           *link);
void     _dc_iec104_link_flush       (Link           *link);
void     _dc_iec104_link_rearm       (Link           *link);
gboolean _dc_iec104_link_start_cb    (gpointer       data);
gboolean _dc_iec104_link_stop_cb     (gpointer       data);
gboolean _dc_iec104_send_command     (Request        *req,
                                      gboolean       select,
                                      GError         **error);
void     _dc_iec104_handle_asdu      (Link           *link,
                                      const guint8   *asdu,
                                      gsize          len,
                                      gint64         receive_us);

G_END_DECLS
