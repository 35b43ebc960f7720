/* dc-iec104-driver.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-driver.h"

G_BEGIN_DECLS

/* The IEC 60870-5-104 master (controlling station) driver for devices of protocol `iec104`
 * (docs/iec104.md). Runs non-blocking on the driver's I/O context. Deadlines of
 * call/ctrl are g_get_monotonic_time() values. */

#define DC_TYPE_IEC104_DRIVER (dc_iec104_driver_get_type ())

G_DECLARE_FINAL_TYPE (DcIec104Driver, dc_iec104_driver, DC, IEC104_DRIVER, DcDriver)

DcDriver *dc_iec104_driver_new      (void);
/* Registers the protocol "iec104" (dc-protocol.h; dc-iec104-protocol.c). */
void      dc_iec104_driver_register (void);

typedef struct
{
  guint64 t1_timeouts;
  guint64 gi_sent;
  guint64 ci_sent;
  guint64 clock_syncs;
  guint64 asdus_in;
  guint64 asdus_dropped;     /* unknown TYP or malformed objects */
  guint64 objects_in;
  guint64 unknown_objects;   /* no point at (CA, IOA) or the wrong type family */
  guint64 samples;
  guint64 acks_held;         /* acknowledgements delayed because the sink was congested */
  guint64 end_of_init;
  guint   k_max_used;        /* most unacknowledged I-frames sent */
  guint   w_max_used;        /* most I-frames received before acknowledging */
  guint   connected;         /* STARTDT confirmed */
  guint   using_backup;
} DcIec104DriverStats;

/* [any thread] */
void      dc_iec104_driver_get_stats (DcIec104Driver      *self,
                                      DcIec104DriverStats *stats);

G_END_DECLS
