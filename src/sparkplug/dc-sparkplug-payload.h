/* dc-sparkplug-payload.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sparkplug B payloads (docs/sparkplug.md): encoding the messages DataColl publishes and
 * decoding the commands it receives, over the protobuf-c classes generated from
 * sparkplug_b.proto. Plain functions without state: any thread. */

/* Sparkplug datatypes (the numbers are the wire's). */
typedef enum
{
  DC_SPARKPLUG_INT8     = 1,
  DC_SPARKPLUG_INT16    = 2,
  DC_SPARKPLUG_INT32    = 3,
  DC_SPARKPLUG_INT64    = 4,
  DC_SPARKPLUG_UINT8    = 5,
  DC_SPARKPLUG_UINT16   = 6,
  DC_SPARKPLUG_UINT32   = 7,
  DC_SPARKPLUG_UINT64   = 8,
  DC_SPARKPLUG_FLOAT    = 9,
  DC_SPARKPLUG_DOUBLE   = 10,
  DC_SPARKPLUG_BOOLEAN  = 11,
  DC_SPARKPLUG_STRING   = 12,
  DC_SPARKPLUG_DATETIME = 13,
  DC_SPARKPLUG_TEXT     = 14,
} DcSparkplugDataType;

/* One metric to encode. @name NULL = aliases only (DATA messages); @alias 0 = no alias.
 * @datatype selects the value field: Boolean → boolean_value (value != 0), Int64 →
 * long_value (@long_value, two's complement), UInt64 and DateTime → long_value (@value),
 * Int8 to UInt32 → int_value (@value, two's complement for the signed ones), Float →
 * float_value, anything else → double_value. @is_null: no value.
 * @unit (NULL = none) and @has_quality add the PropertySet {unit: String, quality: Int32}. */
typedef struct
{
  const char *name;
  guint64     alias;
  guint64     timestamp_ms;
  guint32     datatype;
  double      value;
  gint64      long_value;
  gboolean    is_null;
  gboolean    is_historical;
  const char *unit;
  gboolean    has_quality;
  guint32     quality;
} DcSparkplugMetric;

/* A whole payload: @timestamp_ms, @seq (-1 = none, as in NDEATH), the metrics. */
GBytes     *dc_sparkplug_payload_encode        (guint64                  timestamp_ms,
                                                gint                     seq,
                                                const DcSparkplugMetric *metrics,
                                                guint                    n_metrics);
/* NDEATH: the timestamp and the metric bdSeq (Int64), no seq. */
GBytes     *dc_sparkplug_payload_encode_death  (guint64                  timestamp_ms,
                                                guint64                  bd_seq);

/* A decoded command metric. @name NULL when the command uses the alias only; @has_value
 * FALSE when the metric is null or its value is not a number (string, bytes, data set). */
typedef struct
{
  char       *name;
  gboolean    has_alias;
  guint64     alias;
  guint32     datatype;
  gboolean    has_value;
  double      value;
} DcSparkplugCommand;

void        dc_sparkplug_command_clear         (DcSparkplugCommand      *command);

/* Decodes a payload's metrics into an array of DcSparkplugCommand (cleared with the array).
 * Errors: DC_ERROR_INVALID "not a Sparkplug B payload" when protobuf-c refuses the bytes. */
GArray     *dc_sparkplug_payload_decode        (const guint8            *data,
                                                gsize                    len,
                                                guint64                 *seq,
                                                GError                 **error);

G_END_DECLS
