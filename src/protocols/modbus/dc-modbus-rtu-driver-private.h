/* dc-modbus-rtu-driver-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Modbus RTU driver's parts: the DcDriver side (main thread) in dc-modbus-rtu-driver.c; the
 * serial line's worker thread (requests, units' comm state, the poll cycle, opening the line)
 * in dc-modbus-rtu-line.c.
 */

#pragma once

#include <modbus.h>

#include "dc-modbus-private.h"
#include "dc-modbus-rtu-driver.h"

G_BEGIN_DECLS

#define BACKOFF_MIN_US (1 * G_USEC_PER_SEC)
#define BACKOFF_MAX_US (30 * G_USEC_PER_SEC)

typedef struct _Worker Worker;

typedef DcModbusOp Op;

/* A unit's comm state, on the worker thread (docs/modbus.md "RTU driver"). */
typedef struct
{
  gboolean down;
  guint    bad_in_row;   /* unusable answers in a row: CRC errors, another unit, too short */
  gint64   retry_at;
  gint64   backoff_us;
} UnitState;

/* A unit whose answers are unusable this many times in a row goes down. */
#define BAD_ANSWERS_DOWN 3

typedef enum
{
  UNIT_UNKNOWN,   /* not asked yet */
  UNIT_UP,
  UNIT_DOWN,
} UnitCommState;

/* A unit's counters for the status, under the driver's stats_lock. */
typedef struct
{
  UnitCommState state;
  guint64       requests;
  guint64       responses;
  guint64       exceptions;
  guint64       timeouts;
  guint64       crc_errors;
  guint64       bad_answers;
  char         *last_error;
} UnitStats;

struct _Worker
{
  gatomicrefcount    ref;
  DcModbusRtuDriver *driver;   /* valid until the thread is joined */
  char              *device_id;
  char              *serial;
  int                baud;
  char               parity;
  int                data_bits;
  int                stop_bits;
  gint64             poll_us;
  gint64             timeout_us;

  GMutex             lock;
  GCond              cond;
  gboolean           stop;
  DcModbusConfig    *config;   /* under lock */
  GQueue             ops;      /* under lock */

  GThread           *thread;
  modbus_t          *ctx;
  char              *line_error;   /* set when the line failed; the worker reopens it */
  UnitState          units[256];
  guint16            values[DC_MODBUS_MAX_BITS];
};

struct _DcModbusRtuDriver
{
  DcDriver        parent_instance;

  DcModbusConfig *config;
  Worker         *worker;

  GMutex          stats_lock;
  DcModbusStats   stats;
  guint64         crc_errors;       /* under stats_lock */
  UnitStats       units[256];       /* under stats_lock */
};

#define STATS(w, stmt)                                  \
  G_STMT_START {                                        \
    g_mutex_lock (&(w)->driver->stats_lock);            \
    DcModbusStats *stats = &(w)->driver->stats;         \
    stmt;                                               \
    g_mutex_unlock (&(w)->driver->stats_lock);          \
  } G_STMT_END

/* As STATS, with the counters of @unit as `unit_stats`. */
#define UNIT_STATS(w, unit, stmt)                                 \
  G_STMT_START {                                                  \
    g_mutex_lock (&(w)->driver->stats_lock);                      \
    DcModbusStats *stats = &(w)->driver->stats;                   \
    UnitStats *unit_stats = &(w)->driver->units[(unit)];          \
    (void) stats;                                                 \
    stmt;                                                         \
    g_mutex_unlock (&(w)->driver->stats_lock);                    \
  } G_STMT_END

/* dc-modbus-rtu-line.c: the worker thread. */

gpointer _dc_modbus_rtu_worker_main  (gpointer  data);
void     _dc_modbus_rtu_worker_unref (Worker   *w);

G_END_DECLS
