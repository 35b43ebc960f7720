/* dc-sample.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Quality bits, 0 = good (docs/model.md). The low five are IEC 60870-5 QDS. */
typedef enum
{
  DC_QUALITY_GOOD            = 0,
  DC_QUALITY_OVERFLOW        = 0x01,
  DC_QUALITY_BLOCKED         = 0x10,
  DC_QUALITY_SUBSTITUTED     = 0x20,
  DC_QUALITY_NOT_TOPICAL     = 0x40,
  DC_QUALITY_INVALID         = 0x80,
  DC_QUALITY_COMM_LOST       = 0x100,
  DC_QUALITY_CALC_FAILED     = 0x200,
  DC_QUALITY_TIME_INVALID    = 0x400,
  DC_QUALITY_TRANSIENT       = 0x800,
  DC_QUALITY_COUNTER_ADJUSTED = 0x1000,
  DC_QUALITY_COUNTER_CARRY   = 0x2000,
  DC_QUALITY_ELAPSED_INVALID = 0x4000,
} DcQuality;

/* One value of one point. Plain data, copied by value into GArrays: drivers hand the
 * engine batches (GArray of DcSample), never single samples.
 *
 * @key:     the point's integer key (never reused; history is keyed on it)
 * @time:    source time (device time tag, else receive time), µs since the Unix epoch, UTC
 * @value:   scaled engineering value; NaN/Inf carry DC_QUALITY_INVALID and are sent as null
 * @quality: DcQuality bits
 */
typedef struct
{
  gint64  key;
  gint64  time;
  double  value;
  guint32 quality;
} DcSample;

G_END_DECLS
