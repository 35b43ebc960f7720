/* dc-iec104-sim-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The IEC 104 outstation simulator's parts: values, demo plant, ticks and the public API in
 * dc-iec104-sim.c; a controlling station's connection (sending, commands, receiving) in
 * dc-iec104-sim-conn.c.
 */

#pragma once

#include "dc-iec104-codec.h"
#include "dc-iec104-io-private.h"
#include "dc-iec104-sim.h"

G_BEGIN_DECLS

#define TICK_MS        50
#define SIM_T1_US      (15 * G_USEC_PER_SEC)
#define SIM_T2_US      (200 * 1000)
#define MAX_QUEUE      4096
#define PERIODIC_US    (10 * G_USEC_PER_SEC)
#define OUT_HIGH_WATER (64 * 1024)

#define STAT_ADD(field, n) __atomic_fetch_add (&(field), (n), __ATOMIC_RELAXED)
#define STAT_GET(field)    __atomic_load_n (&(field), __ATOMIC_RELAXED)

typedef enum
{
  KIND_SINGLE,
  KIND_DOUBLE,
  KIND_SCALED,
  KIND_NORMALIZED,
  KIND_FLOAT,
  KIND_COUNTER,
  N_KINDS
} Kind;

static const guint8 gi_type[N_KINDS] = { 1, 3, 11, 9, 13, 15 };
static const guint8 spont_type[N_KINDS] = { 30, 31, 35, 34, 36, 37 };
static const guint32 first_ioa[N_KINDS] = {
  DC_IEC104_SIM_IOA_SINGLES, DC_IEC104_SIM_IOA_DOUBLES, DC_IEC104_SIM_IOA_SCALED,
  DC_IEC104_SIM_IOA_NORMALIZED, DC_IEC104_SIM_IOA_FLOATS, DC_IEC104_SIM_IOA_COUNTERS,
};

typedef struct
{
  guint32 ioa;
  Kind    kind;
  guint   index;    /* within its kind */
  double  value;
  guint32 quality;
} SimPoint;

typedef struct
{
  DcIec104Sim  *sim;
  GSocket      *socket;
  GSource      *in_source;
  GSource      *out_source;
  guint8        inbuf[4 * DC_IEC104_MAX_FRAME];
  gsize         inlen;
  GByteArray   *out;
  gboolean      started;
  guint16       ns;
  guint16       nr;
  guint16       ack;           /* the master's last N(R) */
  guint         unacked_rx;
  gint64        rx_since;
  gint64        ack_progress;  /* when the master last acknowledged something */
  GQueue        queue;         /* GBytes ASDUs waiting for the window */
} Conn;

struct _DcIec104Sim
{
  DcIec104SimConfig cfg;
  char             *address;
  char             *time_zone;
  GTimeZone        *tz;
  GMainContext     *context;
  GSocket          *listener;
  GSource          *listen_source;
  GSource          *tick;
  Conn             *conn;
  GArray           *points;      /* SimPoint */
  GHashTable       *by_ioa;      /* ioa → index + 1 */
  guint             first_of_kind[N_KINDS];
  guint16           port;
  gint64            last_tick;
  double            change_acc;
  guint             change_cursor;
  guint             flood_cursor;
  guint32           flood_counter;
  guint32           selected_ioa;
  guint8            selected_type;
  gboolean          have_selection;
  gint64            demo_next_trip;
  gint64            demo_reclose;
  guint             demo_tripped;
  gint64            demo_next_measure;
  gint64            next_periodic;
  GRand            *rand;
  gint              mute_commands;   /* atomic */
  gint              frozen;          /* atomic */
  DcIec104SimStats  stats;           /* atomic members */
};

/* Shared by dc-iec104-sim.c and dc-iec104-sim-conn.c. */

SimPoint * _dc_iec104_sim_lookup            (DcIec104Sim          *self,
                                             guint32              ioa);
void       _dc_iec104_sim_conn_write        (Conn                 *conn,
                                             const guint8         *bytes,
                                             gsize                len);
void       _dc_iec104_sim_conn_send_i       (Conn                 *conn,
                                             const guint8         *asdu,
                                             gsize                len);
void       _dc_iec104_sim_conn_queue_asdu   (Conn                 *conn,
                                             const guint8         *asdu,
                                             gsize                len);
void       _dc_iec104_sim_queue_objects     (Conn                 *conn,
                                             guint8               type,
                                             guint8               cause,
                                             gboolean             sq,
                                             const DcIec104Object *objs,
                                             guint                n);
void       _dc_iec104_sim_point_to_object   (DcIec104Sim          *self,
                                             const SimPoint       *p,
                                             DcIec104Object       *o,
                                             gboolean             with_time,
                                             gint64               now);
void       _dc_iec104_sim_queue_kind        (Conn                 *conn,
                                             Kind                 kind,
                                             guint8               cause);
void       _dc_iec104_sim_queue_spontaneous (Conn                 *conn,
                                             SimPoint             *p,
                                             guint8               cause);
void       _dc_iec104_sim_conn_close        (Conn                 *conn);
void       _dc_iec104_sim_conn_flush        (Conn                 *conn);
void       _dc_iec104_sim_conn_ack_rx       (Conn                 *conn);
void       _dc_iec104_sim_conn_watch_input  (Conn                 *conn,
                                             gboolean             watch);
gboolean   _dc_iec104_sim_accept_cb         (GSocket              *listener,
                                             GIOCondition         condition,
                                             gpointer             user_data);

G_END_DECLS
