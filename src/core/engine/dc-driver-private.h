/* dc-driver-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The driver base's instance data, shared by dc-driver.c (configuration, wiring, vfuncs) and
 * dc-driver-link.c (link state, counters, status).
 */

#pragma once

#include "dc-driver.h"

G_BEGIN_DECLS

typedef struct
{
  /* Configuration, main thread only. */
  JsonObject   *device;
  GPtrArray    *terms;
  GPtrArray    *points;
  char         *device_id;

  /* Wiring: set before start, then read from any thread. */
  DcSampleSink *sink;
  GMainContext *io_context;
  GMainContext *main_context;
  DcTraffic    *traffic;
  DcStore      *store;          /* main thread; borrowed */
  DcDriverLiveFunc live_func;   /* main thread */
  gpointer      live_data;

  /* Link state, under state_lock. */
  GMutex        state_lock;
  DcLinkState   state;
  char         *last_error;
  gint64        since;
  GHashTable   *down_terms;   /* term id → last error */

  /* Atomic counters. */
  guint64       frames_in;
  guint64       frames_out;
  guint64       bytes_in;
  guint64       bytes_out;
  guint64       reconnects;
} DcDriverPrivate;

DcDriverPrivate *_dc_driver_get_private             (DcDriver    *self);
void             _dc_driver_emit_link_changed       (DcDriver    *self,
                                                     DcLinkState  state,
                                                     const char  *last_error);
void             _dc_driver_emit_term_link_changed  (DcDriver    *self,
                                                     const char  *term_id,
                                                     gboolean     up,
                                                     const char  *last_error);

G_END_DECLS
