/* dc-iec104-sim.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* An IEC 104 outstation (controlled station) for `datacoll-sim iec104`, the demo plant and the
 * tests, running non-blocking on a GMainContext. One master at a time: a new connection
 * replaces the previous one. Point layout (IOAs), see dc_iec104_sim_describe():
 *
 *   singles     1 + i    M_SP_NA_1 (GI, read), M_SP_TB_1 (spontaneous); C_SC_NA/TA_1
 *   doubles  1001 + i    M_DP_NA_1, M_DP_TB_1; C_DC_NA/TA_1
 *   scaled   2001 + i    M_ME_NB_1, M_ME_TE_1; C_SE_NB/TB_1, C_RC_NA/TA_1 (±1)
 *   normal.  3001 + i    M_ME_NA_1, M_ME_TD_1; C_SE_NA/TA_1
 *   floats   4001 + i    M_ME_NC_1, M_ME_TF_1 (flood: M_ME_NC_1); C_SE_NC/TC_1
 *   counters 5001 + i    M_IT_NA_1 (counter interrogation), M_IT_TB_1; C_BO_NA/TA_1 sets one
 *
 * Commands address the point's IOA or its command address IOA + 10000.
 */

#define DC_IEC104_SIM_IOA_SINGLES    1
#define DC_IEC104_SIM_IOA_DOUBLES    1001
#define DC_IEC104_SIM_IOA_SCALED     2001
#define DC_IEC104_SIM_IOA_NORMALIZED 3001
#define DC_IEC104_SIM_IOA_FLOATS     4001
#define DC_IEC104_SIM_IOA_COUNTERS   5001
/* A command may also address a point at IOA + 10000 (a separate command address, the feedback
 * still comes at the point's own IOA). */
#define DC_IEC104_SIM_COMMAND_OFFSET 10000

typedef struct
{
  const char *address;        /* listen address, NULL = 127.0.0.1 */
  guint16     port;           /* 0 = pick a free one */
  guint16     ca;
  guint       singles;
  guint       doubles;
  guint       scaled;
  guint       normalized;
  guint       floats;
  guint       counters;
  double      changes_per_s;  /* spontaneous point changes per second, all points together */
  guint       flood;          /* > 0: N changing floats per ASDU as fast as the window allows */
  guint64     flood_limit;    /* > 0: the flood stops after this many objects in all; object
                               * number i (from 0) is IOA 4001 + i % max (floats, flood) with
                               * the value (i % 100000) / 2 */
  gboolean    negative;       /* refuse every command with P/N = 1 */
  guint       k;
  guint       w;
  gboolean    demo;           /* the substation RTU "sub1" of docs/demo.md */
  const char *time_zone;      /* of the time tags, NULL = UTC */
} DcIec104SimConfig;

typedef struct _DcIec104Sim DcIec104Sim;

typedef struct
{
  guint64 connections;
  guint64 asdus_sent;
  guint64 objects_sent;
  guint64 gi_count;
  guint64 ci_count;
  guint64 clock_syncs;
  guint64 commands;
  guint64 reads;
} DcIec104SimStats;

/* The demo RTU's breaker trips (docs/demo.md): seconds from the start to the first trip
 * (@first), else from a reclose to the next trip. */
guint         dc_iec104_sim_demo_trip_delay_s (GRand                   *rand,
                                               gboolean                 first);
/* Fills @config with the defaults (CA 1, k 12, w 8, a few points of each kind). */
void          dc_iec104_sim_config_init   (DcIec104SimConfig       *config);
/* Starts listening at once and serves on @context (NULL: the thread-default context). */
DcIec104Sim  *dc_iec104_sim_new           (const DcIec104SimConfig *config,
                                           GMainContext            *context,
                                           GError                 **error);
/* Must be called on the sim's context thread (or after its loop stopped). Closes everything. */
void          dc_iec104_sim_free          (DcIec104Sim             *self);
guint16       dc_iec104_sim_get_port      (DcIec104Sim             *self);
/* The point layout as text (for --help and the logs). */
char         *dc_iec104_sim_describe      (const DcIec104SimConfig *config);

/* Thread-safe test hooks; they take effect on the sim's context. */
void          dc_iec104_sim_get_stats     (DcIec104Sim             *self,
                                           DcIec104SimStats        *stats);
/* Stop answering commands and reads (the master's deadline passes). */
void          dc_iec104_sim_set_mute_commands (DcIec104Sim         *self,
                                           gboolean                 mute);
/* Stop reading the socket altogether: no acknowledgements, no TESTFR con (master t1). */
void          dc_iec104_sim_set_frozen    (DcIec104Sim             *self,
                                           gboolean                 frozen);
/* Sends M_EI_NA_1 (end of initialisation, cause 4) on the current connection. */
void          dc_iec104_sim_send_end_of_init (DcIec104Sim          *self);
/* Sets a monitor point and sends it spontaneously (with a CP56 time tag). */
void          dc_iec104_sim_set_value     (DcIec104Sim             *self,
                                           guint32                  ioa,
                                           double                   value);
/* Sends STOPDT act: a master closes and reconnects. */
void          dc_iec104_sim_send_stopdt   (DcIec104Sim             *self);
/* Skips one send sequence number: the master sees a sequence error. */
void          dc_iec104_sim_skip_sequence (DcIec104Sim             *self);
/* Sends a raw ASDU in an I-frame (for malformed-input tests). */
void          dc_iec104_sim_send_raw_asdu (DcIec104Sim             *self,
                                           const guint8            *asdu,
                                           gsize                    len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcIec104Sim, dc_iec104_sim_free)

G_END_DECLS
