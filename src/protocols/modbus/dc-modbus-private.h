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

G_END_DECLS
