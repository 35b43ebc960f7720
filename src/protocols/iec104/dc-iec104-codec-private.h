/* dc-iec104-codec-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <string.h>

#include "dc-iec104-codec.h"

G_BEGIN_DECLS

/* Little-endian readers and writers; callers have checked the bounds. */

static inline guint16
rd_u16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static inline guint32
rd_u24 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16);
}

static inline guint32
rd_u32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static inline void
wr_u16 (guint8  *p,
        guint16  v)
{
  p[0] = v & 0xff;
  p[1] = v >> 8;
}

static inline void
wr_u24 (guint8  *p,
        guint32  v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
}

static inline void
wr_u32 (guint8  *p,
        guint32  v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = v >> 24;
}

static inline float
rd_float (const guint8 *p)
{
  guint32 u = rd_u32 (p);
  float f;

  memcpy (&f, &u, sizeof f);
  return f;
}

static inline void
wr_float (guint8 *p,
          float   f)
{
  guint32 u;

  memcpy (&u, &f, sizeof u);
  wr_u32 (p, u);
}

G_END_DECLS
