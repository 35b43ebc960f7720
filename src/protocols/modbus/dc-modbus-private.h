/* dc-modbus-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-driver.h"
#include "dc-modbus-codec.h"

G_BEGIN_DECLS

/* What the I/O side needs of one point, copied from the DcPointInfo on the main thread. */
typedef struct
{
  gint64           key;
  char            *term_id;
  guint8           unit;
  guint16          address;
  DcModbusCodeType ct;
  double           coefficient;
  double           base_val;
} DcModbusPoint;

/* What decoding one planned point needs, flat, in plan item order. */
typedef struct
{
  gint64           key;
  guint            offset;   /* from the request's first register or bit */
  DcModbusCodeType ct;
  double           coefficient;
  double           base_val;
} DcModbusDecodeItem;

/* An immutable compiled configuration: points and the poll plan, shared (refcounted) between
 * the main thread and the I/O thread. */
typedef struct
{
  gatomicrefcount  ref;
  GArray          *points;   /* DcModbusPoint */
  DcModbusPlan    *plan;     /* item.index → points */
  GArray          *decode;   /* DcModbusDecodeItem, parallel to plan->items */
  GPtrArray       *units;    /* unique term ids with their unit, for per-unit link state */
  guint            n_invalid;
} DcModbusConfig;

/* The unit of a term id (term "address", default 1); -1 when the term is unknown. */
int             dc_modbus_term_unit            (GPtrArray          *terms,
                                                const char         *term_id);
gboolean        dc_modbus_point_from_info      (const DcPointInfo  *info,
                                                GPtrArray          *terms,
                                                gboolean            rtu,
                                                DcModbusPoint      *point,
                                                GError            **error);
void            dc_modbus_point_clear          (DcModbusPoint      *point);
/* Scaled value and quality (invalid for NaN/Inf) of a point from its words. */
double          dc_modbus_point_decode         (const DcModbusPoint *point,
                                                const guint16      *words,
                                                guint32            *quality);

/* The read request (PDU) for one point alone. */
gsize           dc_modbus_point_read_pdu       (const DcModbusPoint *point,
                                                guint8             *pdu);
/* The write request for @point with the inverse-scaled @raw: FC 5 (co), FC 6 (one register),
 * FC 16 (several), and for bitN FC 22 when @mask, else FC 6 of @current with the bit replaced
 * (read-modify-write). */
gsize           dc_modbus_ctrl_write_pdu       (const DcModbusPoint *point,
                                                double              raw,
                                                gboolean            mask,
                                                guint16             current,
                                                guint8             *pdu);

DcModbusConfig *dc_modbus_config_new           (GPtrArray          *terms,
                                                GPtrArray          *points,
                                                gboolean            rtu);
DcModbusConfig *dc_modbus_config_ref           (DcModbusConfig     *config);
void            dc_modbus_config_unref         (DcModbusConfig     *config);
/* Appends a sample for each point of request @index decoded from @values (count entries). */
void            dc_modbus_config_decode        (DcModbusConfig     *config,
                                                guint               index,
                                                const guint16      *values,
                                                gint64              now,
                                                GArray             *batch);
/* Appends a NaN sample with @quality for each point of request @index. */
void            dc_modbus_config_mark          (DcModbusConfig     *config,
                                                guint               index,
                                                guint32             quality,
                                                gint64              now,
                                                GArray             *batch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcModbusConfig, dc_modbus_config_unref)

/* One device_call or device_ctrl on its way to the I/O side (dc-modbus-op.c), shared by the TCP
 * and RTU drivers; a driver's own op struct starts with it. */
typedef struct
{
  gboolean            ctrl;
  GTask              *task;
  DcModbusPoint       point;
  double              raw;        /* ctrl: the inverse-scaled value */
  gint64              deadline;   /* monotonic µs, 0 = none */
  DcCtrlProgressFunc  progress;
  gpointer            progress_data;
  GDestroyNotify      free_func;  /* the driver's (calls dc_modbus_op_clear); NULL = plain */
} DcModbusOp;

/* Main thread. A zeroed op of @size bytes with its task (source object @driver, @source_tag),
 * the point copied from @point and the deadline (wall-clock or monotonic µs, 0 = none); NULL
 * when the task has already returned the error (an unknown term). */
gpointer        dc_modbus_op_new               (DcDriver           *driver,
                                                gsize               size,
                                                GDestroyNotify      free_func,
                                                gboolean            rtu,
                                                gpointer            source_tag,
                                                const DcPointInfo  *point,
                                                gint64              deadline_us,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
/* Main thread. Makes @op a control of @value: inverse scaling and range check; FALSE (the task
 * has returned the error and @op is freed) when the value does not fit. */
gboolean        dc_modbus_op_set_ctrl          (DcModbusOp         *op,
                                                double              value,
                                                DcCtrlProgressFunc  progress,
                                                gpointer            progress_data);
void            dc_modbus_op_clear             (DcModbusOp         *op);
void            dc_modbus_op_free              (gpointer            op);
/* [any thread] A control step, reported on the task's context. */
void            dc_modbus_op_progress          (DcModbusOp         *op,
                                                DcCtrlStep          step,
                                                const char         *detail);
/* [any thread] Complete the op (a failed control reports DC_CTRL_STEP_FAILED) and free it:
 * a call returns a DcSample, a control the confirmed value. */
void            dc_modbus_op_return_error      (DcModbusOp         *op,
                                                GError             *error);
void            dc_modbus_op_return_value      (DcModbusOp         *op,
                                                double              value,
                                                guint32             quality);

/* Response-time histogram buckets (upper bounds in ms; the last bucket is open). */
#define DC_MODBUS_N_BUCKETS 10
extern const guint dc_modbus_bucket_ms[DC_MODBUS_N_BUCKETS - 1];

typedef struct
{
  guint64 requests;
  guint64 responses;
  guint64 exceptions;
  guint64 timeouts;
  guint64 polls;
  guint64 late_polls;       /* polls skipped because the previous cycle was still running */
  guint64 congested_polls;  /* polls skipped because the engine's queue was congested */
  gint64  max_lateness_us;
  guint64 sum_lateness_us;
  guint64 histogram[DC_MODBUS_N_BUCKETS];
} DcModbusStats;

void            dc_modbus_stats_add_response   (DcModbusStats      *stats,
                                                gint64              elapsed_us);
/* The driver's status counters, plus the poll plan's size and the unaddressable points of
 * @config (nullable), as members of @builder's current object. */
void            dc_modbus_stats_to_json        (const DcModbusStats *stats,
                                                const DcModbusConfig *config,
                                                JsonBuilder        *builder);

/* The traffic view's notes on a frame (describe_frame of dc-protocol.h; dc-modbus-notes.c). */
void            dc_modbus_tcp_describe_frame   (const guint8       *bytes,
                                                gsize               len,
                                                const char         *kind,
                                                gsize              *offset,
                                                GString            *out);
void            dc_modbus_rtu_describe_frame   (const guint8       *bytes,
                                                gsize               len,
                                                const char         *kind,
                                                gsize              *offset,
                                                GString            *out);

G_END_DECLS
