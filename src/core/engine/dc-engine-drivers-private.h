/* dc-engine-drivers-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The device manager's parts: devices, drivers and configuration changes in
 * dc-engine-drivers.c; device_call and device_ctrl in dc-engine-drivers-call.c.
 */

#pragma once

#include "dc-engine-drivers.h"
#include "dc-io-pool.h"

G_BEGIN_DECLS

typedef enum
{
  DIRTY_DEVICE = 1 << 0,   /* the device object may have changed: compare link settings */
  DIRTY_POINTS = 1 << 1,   /* terms or points changed */
} DirtyFlags;

typedef struct
{
  DcEngineDrivers *self;        /* borrowed */
  char            *device_id;
  char            *protocol;
  char            *signature;   /* link settings, serialised */
  gboolean         enabled;
  JsonObject      *device;
  GPtrArray       *terms;       /* JsonObject */
  GPtrArray       *points;      /* DcPointInfo */
  GHashTable      *points_by_key; /* key → DcPointInfo (borrowed from points) */
  DcDriver        *driver;
  DcLinkState      state;       /* for devices without a driver */
  char            *last_error;  /* idem */
  gint64           since;       /* idem */
  DcLinkState      emitted_state; /* the last ::device-changed */
  char            *emitted_error;
  gboolean         emitted;
} Device;

/* The sink drivers get: the engine's sink, plus push_api through the hooks. */
typedef struct
{
  DcSampleSink     parent;
  DcEngineDrivers *self;
} DriversSink;

struct _DcEngineDrivers
{
  GObject               parent_instance;

  DcStore              *store;
  DcSampleSink         *sink;
  DriversSink           drivers_sink;
  DcEngineDriversHooks  hooks;
  gpointer              hooks_data;
  DcIoPool             *pool;
  guint                 n_io_threads;
  gint64                call_timeout;

  GHashTable           *devices;       /* id → Device */
  GHashTable           *term_devices;  /* term id → device id */
  GHashTable           *dirty;         /* device id → DirtyFlags */
  guint                 flush_id;
  gulong                changed_id;
  gboolean              started;
};

/* Shared by dc-engine-drivers.c and dc-engine-drivers-call.c. */

gboolean _dc_engine_drivers_driver_has_link       (DcDriver        *driver);
void     _dc_engine_drivers_drivers_sink_push_api (DcSampleSink    *sink,
                                                   const DcSample  *sample);
char *   _dc_engine_drivers_point_id              (const char      *term_id,
                                                   const char      *item_id);
Device * _dc_engine_drivers_lookup_device         (DcEngineDrivers *self,
                                                   const char      *device_id);

G_END_DECLS
