/* dc-iec104-codec.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-iec104-codec"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-iec104-codec.h"
#include "dc-sample.h"
#include "dc-time.h"

G_DEFINE_QUARK (dc-iec104-error-quark, dc_iec104_error)

#define USEC_PER_MINUTE (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define USEC_PER_HOUR   (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define USEC_PER_DAY    (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

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

/* Link layer */

gssize
dc_iec104_frame_length (const guint8  *buf,
                        gsize          len,
                        GError       **error)
{
  if (len == 0)
    return 0;
  if (buf[0] != DC_IEC104_START)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_BAD_FRAME,
                   "start octet 0x%02x is not 0x68", buf[0]);
      return -1;
    }
  if (len < 2)
    return 0;
  if (buf[1] < 4 || buf[1] > DC_IEC104_MAX_APDU_LEN)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_BAD_FRAME,
                   "APDU length %u is outside 4…253", buf[1]);
      return -1;
    }
  if (len < (gsize) buf[1] + 2)
    return 0;
  return buf[1] + 2;
}

gboolean
dc_iec104_parse_apci (const guint8  *frame,
                      gsize          len,
                      DcIec104Apci  *apci,
                      GError       **error)
{
  gssize flen;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (apci != NULL, FALSE);

  memset (apci, 0, sizeof *apci);

  flen = dc_iec104_frame_length (frame, len, &local_error);
  if (flen < 0)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (flen == 0)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_TRUNCATED,
                   "frame truncated: %" G_GSIZE_FORMAT " octets, %s", len,
                   len < 2 ? "no length octet" : "shorter than its length octet");
      return FALSE;
    }
  if ((gsize) flen != len)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_BAD_FRAME,
                   "%" G_GSIZE_FORMAT " octets after the frame end", len - (gsize) flen);
      return FALSE;
    }

  if ((frame[2] & 0x01) == 0)
    {
      apci->kind = DC_IEC104_FRAME_I;
      apci->ns = (rd_u16 (frame + 2) >> 1) & 0x7fff;
      apci->nr = (rd_u16 (frame + 4) >> 1) & 0x7fff;
      apci->asdu = frame + DC_IEC104_APCI_LEN;
      apci->asdu_len = len - DC_IEC104_APCI_LEN;
      if (apci->asdu_len == 0)
        {
          g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_BAD_FRAME,
                       "I-frame without ASDU");
          return FALSE;
        }
      return TRUE;
    }

  if (len != DC_IEC104_APCI_LEN)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_BAD_FRAME,
                   "%s-frame with APDU length %u (must be 4)",
                   (frame[2] & 0x03) == 0x01 ? "S" : "U", frame[1]);
      return FALSE;
    }

  if ((frame[2] & 0x03) == 0x01)
    {
      apci->kind = DC_IEC104_FRAME_S;
      apci->nr = (rd_u16 (frame + 4) >> 1) & 0x7fff;
      return TRUE;
    }

  apci->kind = DC_IEC104_FRAME_U;
  apci->u = frame[2];
  if (dc_iec104_u_name (frame[2]) == NULL)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_BAD_FRAME,
                   "U-frame with unknown function 0x%02x", frame[2]);
      return FALSE;
    }
  return TRUE;
}

gsize
dc_iec104_build_u (guint8            *out,
                   DcIec104UFunction  function)
{
  out[0] = DC_IEC104_START;
  out[1] = 4;
  out[2] = function;
  out[3] = 0;
  out[4] = 0;
  out[5] = 0;
  return 6;
}

gsize
dc_iec104_build_s (guint8  *out,
                   guint16  nr)
{
  out[0] = DC_IEC104_START;
  out[1] = 4;
  out[2] = 0x01;
  out[3] = 0;
  wr_u16 (out + 4, (guint16) ((nr & 0x7fff) << 1));
  return 6;
}

void
dc_iec104_set_i_seq (guint8  *frame,
                     guint16  ns,
                     guint16  nr)
{
  wr_u16 (frame + 2, (guint16) ((ns & 0x7fff) << 1));
  wr_u16 (frame + 4, (guint16) ((nr & 0x7fff) << 1));
}

gsize
dc_iec104_build_i (guint8       *out,
                   guint16       ns,
                   guint16       nr,
                   const guint8 *asdu,
                   gsize         asdu_len)
{
  g_return_val_if_fail (asdu_len > 0 && asdu_len <= DC_IEC104_MAX_ASDU, 0);

  out[0] = DC_IEC104_START;
  out[1] = (guint8) (asdu_len + 4);
  dc_iec104_set_i_seq (out, ns, nr);
  if (out + DC_IEC104_APCI_LEN != asdu)
    memmove (out + DC_IEC104_APCI_LEN, asdu, asdu_len);
  return asdu_len + DC_IEC104_APCI_LEN;
}

/* Types */

int
dc_iec104_object_size (guint8 type)
{
  switch (type)
    {
    case 1: return 1;
    case 2: return 4;
    case 3: return 1;
    case 4: return 4;
    case 5: return 2;
    case 6: return 5;
    case 7: return 5;
    case 8: return 8;
    case 9: return 3;
    case 10: return 6;
    case 11: return 3;
    case 12: return 6;
    case 13: return 5;
    case 14: return 8;
    case 15: return 5;
    case 16: return 8;
    case 20: return 5;
    case 21: return 2;
    case 30: return 8;
    case 31: return 8;
    case 32: return 9;
    case 33: return 12;
    case 34: return 10;
    case 35: return 10;
    case 36: return 12;
    case 37: return 12;
    case 38: return 10;
    case 70: return 1;
    case 45: case 46: case 47: return 1;
    case 48: case 49: return 3;
    case 50: return 5;
    case 51: return 4;
    case 58: case 59: case 60: return 8;
    case 61: case 62: return 10;
    case 63: return 12;
    case 64: return 11;
    case 100: case 101: return 1;
    case 102: return 0;
    case 103: return 7;
    default: return -1;
    }
}

DcIec104Family
dc_iec104_type_family (guint8 type)
{
  switch (type)
    {
    case 1: case 2: case 30: return DC_IEC104_FAMILY_SINGLE;
    case 3: case 4: case 31: return DC_IEC104_FAMILY_DOUBLE;
    case 5: case 6: case 32: return DC_IEC104_FAMILY_STEP;
    case 7: case 8: case 33: return DC_IEC104_FAMILY_BITSTRING;
    case 9: case 10: case 21: case 34: return DC_IEC104_FAMILY_NORMALIZED;
    case 11: case 12: case 35: return DC_IEC104_FAMILY_SCALED;
    case 13: case 14: case 36: return DC_IEC104_FAMILY_FLOAT;
    case 15: case 16: case 37: return DC_IEC104_FAMILY_TOTALS;
    case 20: return DC_IEC104_FAMILY_PACKED;
    case 38: return DC_IEC104_FAMILY_PROTECTION;
    case 45: case 46: case 47: case 48: case 49: case 50: case 51:
    case 58: case 59: case 60: case 61: case 62: case 63: case 64:
      return DC_IEC104_FAMILY_COMMAND;
    case 70: case 100: case 101: case 102: case 103:
      return DC_IEC104_FAMILY_SYSTEM;
    default:
      return DC_IEC104_FAMILY_NONE;
    }
}

gboolean
dc_iec104_type_is_command (guint8 type)
{
  return dc_iec104_type_family (type) == DC_IEC104_FAMILY_COMMAND;
}

DcIec104TimeKind
dc_iec104_type_time (guint8 type)
{
  switch (type)
    {
    case 2: case 4: case 6: case 8: case 10: case 12: case 14: case 16:
      return DC_IEC104_TIME_CP24;
    case 30: case 31: case 32: case 33: case 34: case 35: case 36: case 37: case 38:
    case 58: case 59: case 60: case 61: case 62: case 63: case 64: case 103:
      return DC_IEC104_TIME_CP56;
    default:
      return DC_IEC104_TIME_NONE;
    }
}

/* Time */

static inline gint64
floor_div (gint64 a,
           gint64 b)
{
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static gint64
days_from_civil (gint64 y,
                 guint  m,
                 guint  d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = floor_div (y, 400);
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64  z,
                 gint64 *y,
                 guint  *m,
                 guint  *d)
{
  gint64 era, doe, yoe, doy, mp;

  z += 719468;
  era = floor_div (z, 146097);
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (guint) (doy - (153 * mp + 2) / 5 + 1);
  *m = (guint) (mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static gint32
tz_offset_utc (GTimeZone *tz,
               gint64     utc_secs,
               gboolean  *dst)
{
  int interval;

  if (tz == NULL)
    {
      if (dst)
        *dst = FALSE;
      return 0;
    }
  interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, utc_secs);
  if (interval < 0)
    interval = 0;
  if (dst)
    *dst = g_time_zone_is_dst (tz, interval);
  return g_time_zone_get_offset (tz, interval);
}

void
dc_iec104_time_from_us (DcIec104Time *time,
                        gint64        time_us,
                        GTimeZone    *tz)
{
  gboolean dst = FALSE;
  gint64 local_us, days, in_day, y;
  guint m, d;

  g_return_if_fail (time != NULL);

  local_us = time_us + (gint64) tz_offset_utc (tz, floor_div (time_us, G_USEC_PER_SEC), &dst)
                       * G_USEC_PER_SEC;
  days = floor_div (local_us, USEC_PER_DAY);
  in_day = local_us - days * USEC_PER_DAY;
  civil_from_days (days, &y, &m, &d);

  memset (time, 0, sizeof *time);
  time->hour = (guint8) (in_day / USEC_PER_HOUR);
  time->minute = (guint8) ((in_day / USEC_PER_MINUTE) % 60);
  time->ms = (guint16) ((in_day % USEC_PER_MINUTE) / 1000);
  time->day = (guint8) d;
  time->month = (guint8) m;
  time->year = (guint8) (((y % 100) + 100) % 100);
  time->dow = (guint8) (((days % 7) + 7 + 3) % 7 + 1);  /* 1970-01-01 was a Thursday (4) */
  time->su = dst;
  time->iv = FALSE;
}

gboolean
dc_iec104_time_to_us (const DcIec104Time *time,
                      GTimeZone          *tz,
                      gint64             *time_us)
{
  static const guint8 mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gint64 local_secs, days;
  guint year;

  g_return_val_if_fail (time != NULL && time_us != NULL, FALSE);

  if (time->ms > 59999 || time->minute > 59 || time->hour > 23 || time->month < 1 ||
      time->month > 12 || time->day < 1 || time->day > mdays[time->month - 1] || time->year > 99)
    return FALSE;
  year = 2000 + time->year;
  if (time->month == 2 && time->day == 29 &&
      !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
    return FALSE;

  days = days_from_civil (year, time->month, time->day);
  local_secs = days * 86400 + time->hour * 3600 + time->minute * 60;

  if (tz != NULL)
    {
      GTimeType type = time->su ? G_TIME_TYPE_DAYLIGHT : G_TIME_TYPE_STANDARD;
      gint64 adjusted = local_secs;
      int interval = g_time_zone_adjust_time (tz, type, &adjusted);
      if (interval < 0)
        interval = 0;
      local_secs -= g_time_zone_get_offset (tz, interval);
    }

  *time_us = local_secs * G_USEC_PER_SEC + (gint64) time->ms * 1000;
  return TRUE;
}

gint64
dc_iec104_cp24_to_us (const DcIec104Time *time,
                      gint64              receive_us,
                      GTimeZone          *tz)
{
  gint64 offset_us, local, base, cand, best = 0, best_diff = G_MAXINT64;

  g_return_val_if_fail (time != NULL, receive_us);

  if (time->ms > 59999 || time->minute > 59)
    return receive_us;

  offset_us = (gint64) tz_offset_utc (tz, floor_div (receive_us, G_USEC_PER_SEC), NULL)
              * G_USEC_PER_SEC;
  local = receive_us + offset_us;
  base = floor_div (local, USEC_PER_HOUR) * USEC_PER_HOUR;
  cand = base + time->minute * USEC_PER_MINUTE + (gint64) time->ms * 1000;

  for (int i = -1; i <= 1; i++)
    {
      gint64 c = cand + i * USEC_PER_HOUR;
      gint64 diff = c > local ? c - local : local - c;

      if (diff < best_diff)
        {
          best_diff = diff;
          best = c;
        }
    }
  return best - offset_us;
}

static void
rd_cp56 (const guint8 *p,
         DcIec104Time *t)
{
  t->ms = rd_u16 (p);
  t->minute = p[2] & 0x3f;
  t->iv = (p[2] & 0x80) != 0;
  t->hour = p[3] & 0x1f;
  t->su = (p[3] & 0x80) != 0;
  t->day = p[4] & 0x1f;
  t->dow = p[4] >> 5;
  t->month = p[5] & 0x0f;
  t->year = p[6] & 0x7f;
}

static void
wr_cp56 (guint8             *p,
         const DcIec104Time *t,
         gboolean            iv)
{
  wr_u16 (p, t->ms);
  p[2] = (t->minute & 0x3f) | (iv ? 0x80 : 0);
  p[3] = (t->hour & 0x1f) | (t->su ? 0x80 : 0);
  p[4] = (t->day & 0x1f) | ((t->dow & 0x07) << 5);
  p[5] = t->month & 0x0f;
  p[6] = t->year & 0x7f;
}

static void
rd_cp24 (const guint8 *p,
         DcIec104Time *t)
{
  t->ms = rd_u16 (p);
  t->minute = p[2] & 0x3f;
  t->iv = (p[2] & 0x80) != 0;
}

static void
wr_cp24 (guint8             *p,
         const DcIec104Time *t,
         gboolean            iv)
{
  wr_u16 (p, t->ms);
  p[2] = (t->minute & 0x3f) | (iv ? 0x80 : 0);
}

/* ASDU */

static void
parse_element (guint8          type,
               const guint8   *p,
               DcIec104Object *o)
{
  guint8 qds_mask = 0xf1;  /* OV, BL, SB, NT, IV */

  switch (type)
    {
    case 1: case 2: case 30:
    case 3: case 4: case 31:
      o->value = p[0] & ((type == 1 || type == 2 || type == 30) ? 0x01 : 0x03);
      o->quality = p[0] & 0xf0;
      break;

    case 5: case 6: case 32:
      {
        int v = p[0] & 0x7f;

        if (v & 0x40)
          v -= 128;
        o->value = v;
        o->quality = (p[0] & 0x80 ? DC_QUALITY_TRANSIENT : 0) | (p[1] & qds_mask);
      }
      break;

    case 7: case 8: case 33:
      o->value = rd_u32 (p);
      o->quality = p[4] & qds_mask;
      break;

    case 9: case 10: case 34:
      o->value = (gint16) rd_u16 (p) / 32768.0;
      o->quality = p[2] & qds_mask;
      break;

    case 21:
      o->value = (gint16) rd_u16 (p) / 32768.0;
      break;

    case 11: case 12: case 35:
      o->value = (gint16) rd_u16 (p);
      o->quality = p[2] & qds_mask;
      break;

    case 13: case 14: case 36:
      o->value = rd_float (p);
      o->quality = p[4] & qds_mask;
      break;

    case 15: case 16: case 37:
      o->value = (gint32) rd_u32 (p);
      o->extra = p[4] & 0x1f;
      o->quality = (p[4] & 0x20 ? DC_QUALITY_COUNTER_CARRY : 0) |
                   (p[4] & 0x40 ? DC_QUALITY_COUNTER_ADJUSTED : 0) |
                   (p[4] & 0x80 ? DC_QUALITY_INVALID : 0);
      break;

    case 20:
      o->value = rd_u16 (p);
      o->extra = rd_u16 (p + 2);
      o->quality = p[4] & qds_mask;
      break;

    case 38:
      o->value = p[0] & 0x03;
      o->quality = (p[0] & 0xf0) | (p[0] & 0x08 ? DC_QUALITY_ELAPSED_INVALID : 0);
      o->extra = rd_u16 (p + 1);
      break;

    case 70:
      o->value = p[0] & 0x7f;
      o->qualifier = p[0] & 0x80;
      break;

    case 45: case 58:
      o->value = p[0] & 0x01;
      o->qualifier = p[0] & 0xfc;
      break;

    case 46: case 59:
    case 47: case 60:
      o->value = p[0] & 0x03;
      o->qualifier = p[0] & 0xfc;
      break;

    case 48: case 61:
      o->value = (gint16) rd_u16 (p) / 32768.0;
      o->qualifier = p[2];
      break;

    case 49: case 62:
      o->value = (gint16) rd_u16 (p);
      o->qualifier = p[2];
      break;

    case 50: case 63:
      o->value = rd_float (p);
      o->qualifier = p[4];
      break;

    case 51: case 64:
      o->value = rd_u32 (p);
      break;

    case 100:
      o->value = p[0];
      o->qualifier = p[0];
      break;

    case 101:
      o->value = p[0] & 0x3f;
      o->qualifier = p[0] & 0xc0;
      break;

    default:
      /* 102, 103: no value */
      break;
    }

  o->time_kind = dc_iec104_type_time (type);
  if (o->time_kind != DC_IEC104_TIME_NONE)
    {
      int size = dc_iec104_object_size (type);

      if (o->time_kind == DC_IEC104_TIME_CP56)
        rd_cp56 (p + size - 7, &o->time);
      else
        rd_cp24 (p + size - 3, &o->time);
      if (o->time.iv)
        o->quality |= DC_QUALITY_TIME_INVALID;
    }
}

gboolean
dc_iec104_parse_asdu (const guint8  *asdu,
                      gsize          len,
                      DcIec104Asdu  *header,
                      GArray        *objects,
                      GError       **error)
{
  DcIec104Asdu h;
  const guint8 *p;
  gsize need;
  guint32 first_ioa = 0;
  int size;

  if (objects != NULL)
    g_array_set_size (objects, 0);

  if (len < DC_IEC104_ASDU_HEADER)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_TRUNCATED,
                   "ASDU truncated: %" G_GSIZE_FORMAT " octets, the header needs 6", len);
      return FALSE;
    }

  h.type = asdu[0];
  h.sq = (asdu[1] & 0x80) != 0;
  h.count = asdu[1] & 0x7f;
  h.cause = asdu[2] & 0x3f;
  h.negative = (asdu[2] & 0x40) != 0;
  h.test = (asdu[2] & 0x80) != 0;
  h.oa = asdu[3];
  h.ca = rd_u16 (asdu + 4);
  if (header != NULL)
    *header = h;

  size = dc_iec104_object_size (h.type);
  if (size < 0)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_UNKNOWN_TYPE,
                   "unknown type identification %u", h.type);
      return FALSE;
    }
  if (h.count == 0)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_BAD_OBJECT,
                   "%s with no information objects (VSQ 0x%02x)",
                   dc_iec104_type_name (h.type), asdu[1]);
      return FALSE;
    }

  need = h.sq ? 3 + (gsize) h.count * (gsize) size : (gsize) h.count * (gsize) (3 + size);
  if (len - DC_IEC104_ASDU_HEADER < need)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_TRUNCATED,
                   "%s with %u objects (SQ=%d) needs %" G_GSIZE_FORMAT " octets after the "
                   "header, got %" G_GSIZE_FORMAT,
                   dc_iec104_type_name (h.type), h.count, h.sq, need,
                   len - DC_IEC104_ASDU_HEADER);
      return FALSE;
    }
  if (len - DC_IEC104_ASDU_HEADER > need)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_BAD_OBJECT,
                   "%s with %u objects (SQ=%d): %" G_GSIZE_FORMAT " trailing octets",
                   dc_iec104_type_name (h.type), h.count, h.sq,
                   len - DC_IEC104_ASDU_HEADER - need);
      return FALSE;
    }

  p = asdu + DC_IEC104_ASDU_HEADER;
  if (h.sq)
    {
      first_ioa = rd_u24 (p);
      p += 3;
      if ((guint64) first_ioa + h.count - 1 > 0xffffff)
        {
          g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_BAD_OBJECT,
                       "SQ=1 sequence of %u objects from IOA %u passes 16777215",
                       h.count, first_ioa);
          return FALSE;
        }
    }

  if (objects == NULL)
    return TRUE;

  g_array_set_size (objects, h.count);
  for (guint i = 0; i < h.count; i++)
    {
      DcIec104Object *o = &g_array_index (objects, DcIec104Object, i);

      memset (o, 0, sizeof *o);
      if (h.sq)
        o->ioa = first_ioa + i;
      else
        {
          o->ioa = rd_u24 (p);
          p += 3;
        }
      parse_element (h.type, p, o);
      p += size;
    }

  return TRUE;
}

static gboolean
check_int (double   value,
           double   min,
           double   max,
           guint8   type,
           gint64  *out,
           GError **error)
{
  double r = round (value);

  if (!(r >= min && r <= max))
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_RANGE,
                   "value %g is out of range for %s (%g…%g)",
                   value, dc_iec104_type_name (type), min, max);
      return FALSE;
    }
  *out = (gint64) r;
  return TRUE;
}

static gboolean
build_element (guint8                type,
               const DcIec104Object *o,
               guint8               *p,
               GError              **error)
{
  guint32 q = o->quality;
  guint8 qds = (guint8) (q & 0xf1);
  gboolean iv = o->time.iv || (q & DC_QUALITY_TIME_INVALID) != 0;
  gint64 v = 0;

  switch (type)
    {
    case 1: case 2: case 30:
      if (!check_int (o->value, 0, 1, type, &v, error))
        return FALSE;
      p[0] = (guint8) v | (q & 0xf0);
      break;

    case 3: case 4: case 31:
      if (!check_int (o->value, 0, 3, type, &v, error))
        return FALSE;
      p[0] = (guint8) v | (q & 0xf0);
      break;

    case 5: case 6: case 32:
      if (!check_int (o->value, -64, 63, type, &v, error))
        return FALSE;
      p[0] = ((guint8) v & 0x7f) | (q & DC_QUALITY_TRANSIENT ? 0x80 : 0);
      p[1] = qds;
      break;

    case 7: case 8: case 33:
      if (!check_int (o->value, 0, 4294967295.0, type, &v, error))
        return FALSE;
      wr_u32 (p, (guint32) v);
      p[4] = qds;
      break;

    case 9: case 10: case 34: case 21: case 48: case 61:
      if (!(o->value >= -1.0 && o->value <= 32767.0 / 32768.0))
        {
          g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_RANGE,
                       "value %g is out of range for %s (-1…0.999969)",
                       o->value, dc_iec104_type_name (type));
          return FALSE;
        }
      wr_u16 (p, (guint16) (gint16) CLAMP (round (o->value * 32768.0), -32768, 32767));
      if (type == 48 || type == 61)
        p[2] = o->qualifier;
      else if (type != 21)
        p[2] = qds;
      break;

    case 11: case 12: case 35: case 49: case 62:
      if (!check_int (o->value, -32768, 32767, type, &v, error))
        return FALSE;
      wr_u16 (p, (guint16) (gint16) v);
      p[2] = (type == 49 || type == 62) ? o->qualifier : qds;
      break;

    case 13: case 14: case 36: case 50: case 63:
      wr_float (p, (float) o->value);
      p[4] = (type == 50 || type == 63) ? o->qualifier : qds;
      break;

    case 15: case 16: case 37:
      if (!check_int (o->value, G_MININT32, G_MAXINT32, type, &v, error))
        return FALSE;
      wr_u32 (p, (guint32) (gint32) v);
      p[4] = (o->extra & 0x1f) |
             (q & DC_QUALITY_COUNTER_CARRY ? 0x20 : 0) |
             (q & DC_QUALITY_COUNTER_ADJUSTED ? 0x40 : 0) |
             (q & DC_QUALITY_INVALID ? 0x80 : 0);
      break;

    case 20:
      if (!check_int (o->value, 0, 65535, type, &v, error))
        return FALSE;
      wr_u16 (p, (guint16) v);
      wr_u16 (p + 2, o->extra);
      p[4] = qds;
      break;

    case 38:
      if (!check_int (o->value, 0, 3, type, &v, error))
        return FALSE;
      p[0] = (guint8) v | (q & 0xf0) | (q & DC_QUALITY_ELAPSED_INVALID ? 0x08 : 0);
      wr_u16 (p + 1, o->extra);
      break;

    case 70:
      if (!check_int (o->value, 0, 127, type, &v, error))
        return FALSE;
      p[0] = (guint8) v | (o->qualifier & 0x80);
      break;

    case 45: case 58:
      if (!check_int (o->value, 0, 1, type, &v, error))
        return FALSE;
      p[0] = (guint8) v | (o->qualifier & 0xfc);
      break;

    case 46: case 59: case 47: case 60:
      if (!check_int (o->value, 0, 3, type, &v, error))
        return FALSE;
      p[0] = (guint8) v | (o->qualifier & 0xfc);
      break;

    case 51: case 64:
      if (!check_int (o->value, 0, 4294967295.0, type, &v, error))
        return FALSE;
      wr_u32 (p, (guint32) v);
      break;

    case 100:
      if (!check_int (o->value, 0, 255, type, &v, error))
        return FALSE;
      p[0] = (guint8) v;
      break;

    case 101:
      if (!check_int (o->value, 0, 63, type, &v, error))
        return FALSE;
      p[0] = (guint8) v | (o->qualifier & 0xc0);
      break;

    default:
      break;
    }

  switch (dc_iec104_type_time (type))
    {
    case DC_IEC104_TIME_CP56:
      wr_cp56 (p + dc_iec104_object_size (type) - 7, &o->time, iv);
      break;
    case DC_IEC104_TIME_CP24:
      wr_cp24 (p + dc_iec104_object_size (type) - 3, &o->time, iv);
      break;
    case DC_IEC104_TIME_NONE:
    default:
      break;
    }
  return TRUE;
}

gsize
dc_iec104_build_asdu (guint8               *out,
                      gsize                 out_size,
                      const DcIec104Asdu   *header,
                      const DcIec104Object *objects,
                      guint                 n_objects,
                      GError              **error)
{
  int size;
  gsize need;
  guint8 *p;

  g_return_val_if_fail (header != NULL, 0);
  g_return_val_if_fail (n_objects == 0 || objects != NULL, 0);

  size = dc_iec104_object_size (header->type);
  if (size < 0)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_UNKNOWN_TYPE,
                   "unknown type identification %u", header->type);
      return 0;
    }
  if (n_objects == 0 || n_objects > 127)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_BAD_OBJECT,
                   "%u information objects (1…127)", n_objects);
      return 0;
    }
  need = DC_IEC104_ASDU_HEADER +
         (header->sq ? 3 + (gsize) n_objects * size : (gsize) n_objects * (3 + size));
  if (need > out_size || need > DC_IEC104_MAX_ASDU)
    {
      g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_RANGE,
                   "%u objects of %s need %" G_GSIZE_FORMAT " octets, at most %" G_GSIZE_FORMAT
                   " fit", n_objects, dc_iec104_type_name (header->type), need,
                   MIN (out_size, (gsize) DC_IEC104_MAX_ASDU));
      return 0;
    }

  out[0] = header->type;
  out[1] = (guint8) n_objects | (header->sq ? 0x80 : 0);
  out[2] = (header->cause & 0x3f) | (header->negative ? 0x40 : 0) | (header->test ? 0x80 : 0);
  out[3] = header->oa;
  wr_u16 (out + 4, header->ca);
  p = out + DC_IEC104_ASDU_HEADER;

  for (guint i = 0; i < n_objects; i++)
    {
      if (i == 0 || !header->sq)
        {
          if (objects[i].ioa > 0xffffff)
            {
              g_set_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_RANGE,
                           "IOA %u is above 16777215", objects[i].ioa);
              return 0;
            }
          wr_u24 (p, objects[i].ioa);
          p += 3;
        }
      if (!build_element (header->type, &objects[i], p, error))
        return 0;
      p += size;
    }

  return need;
}

/* Names */

const char *
dc_iec104_type_name (guint8 type)
{
  switch (type)
    {
    case 1: return "M_SP_NA_1";
    case 2: return "M_SP_TA_1";
    case 3: return "M_DP_NA_1";
    case 4: return "M_DP_TA_1";
    case 5: return "M_ST_NA_1";
    case 6: return "M_ST_TA_1";
    case 7: return "M_BO_NA_1";
    case 8: return "M_BO_TA_1";
    case 9: return "M_ME_NA_1";
    case 10: return "M_ME_TA_1";
    case 11: return "M_ME_NB_1";
    case 12: return "M_ME_TB_1";
    case 13: return "M_ME_NC_1";
    case 14: return "M_ME_TC_1";
    case 15: return "M_IT_NA_1";
    case 16: return "M_IT_TA_1";
    case 20: return "M_PS_NA_1";
    case 21: return "M_ME_ND_1";
    case 30: return "M_SP_TB_1";
    case 31: return "M_DP_TB_1";
    case 32: return "M_ST_TB_1";
    case 33: return "M_BO_TB_1";
    case 34: return "M_ME_TD_1";
    case 35: return "M_ME_TE_1";
    case 36: return "M_ME_TF_1";
    case 37: return "M_IT_TB_1";
    case 38: return "M_EP_TD_1";
    case 45: return "C_SC_NA_1";
    case 46: return "C_DC_NA_1";
    case 47: return "C_RC_NA_1";
    case 48: return "C_SE_NA_1";
    case 49: return "C_SE_NB_1";
    case 50: return "C_SE_NC_1";
    case 51: return "C_BO_NA_1";
    case 58: return "C_SC_TA_1";
    case 59: return "C_DC_TA_1";
    case 60: return "C_RC_TA_1";
    case 61: return "C_SE_TA_1";
    case 62: return "C_SE_TB_1";
    case 63: return "C_SE_TC_1";
    case 64: return "C_BO_TA_1";
    case 70: return "M_EI_NA_1";
    case 100: return "C_IC_NA_1";
    case 101: return "C_CI_NA_1";
    case 102: return "C_RD_NA_1";
    case 103: return "C_CS_NA_1";
    default: return NULL;
    }
}

const char *
dc_iec104_cause_name (guint8 cause)
{
  /* IEC's interrogation cause abbreviations (split so that spell checkers leave them alone). */
  static const char *interrogation_names[] = {
    "in" "rogen", "in" "ro1", "in" "ro2", "in" "ro3", "in" "ro4", "in" "ro5", "in" "ro6",
    "in" "ro7", "in" "ro8", "in" "ro9", "in" "ro10", "in" "ro11", "in" "ro12", "in" "ro13",
    "in" "ro14", "in" "ro15", "in" "ro16",
  };
  static const char *reqco[] = { "reqcogen", "reqco1", "reqco2", "reqco3", "reqco4" };

  if (cause >= 20 && cause <= 36)
    return interrogation_names[cause - 20];
  if (cause >= 37 && cause <= 41)
    return reqco[cause - 37];

  switch (cause)
    {
    case 1: return "per/cyc";
    case 2: return "back";
    case 3: return "spont";
    case 4: return "init";
    case 5: return "req";
    case 6: return "act";
    case 7: return "actcon";
    case 8: return "deact";
    case 9: return "deactcon";
    case 10: return "actterm";
    case 11: return "retrem";
    case 12: return "retloc";
    case 13: return "file";
    case 44: return "unknown type";
    case 45: return "unknown cause";
    case 46: return "unknown common address";
    case 47: return "unknown object address";
    default: return NULL;
    }
}

const char *
dc_iec104_u_name (guint8 function)
{
  switch (function)
    {
    case DC_IEC104_U_STARTDT_ACT: return "STARTDT act";
    case DC_IEC104_U_STARTDT_CON: return "STARTDT con";
    case DC_IEC104_U_STOPDT_ACT: return "STOPDT act";
    case DC_IEC104_U_STOPDT_CON: return "STOPDT con";
    case DC_IEC104_U_TESTFR_ACT: return "TESTFR act";
    case DC_IEC104_U_TESTFR_CON: return "TESTFR con";
    default: return NULL;
    }
}

/* Traffic decoder */

static void
format_value (GString              *s,
              guint8                type,
              const DcIec104Object *o)
{
  if (type == 13 || type == 14 || type == 36 || type == 50 || type == 63 ||
      dc_iec104_type_family (type) == DC_IEC104_FAMILY_NORMALIZED || type == 48 || type == 61)
    g_string_append_printf (s, "%.7g", o->value);
  else
    g_string_append_printf (s, "%.0f", o->value);
}

static JsonObject *
object_to_json (guint8                type,
                const DcIec104Object *o,
                GTimeZone            *tz,
                gint64                receive_us)
{
  JsonObject *obj = json_object_new ();
  DcIec104Family family = dc_iec104_type_family (type);

  json_object_set_int_member (obj, "ioa", o->ioa);
  if (type != DC_IEC104_C_RD_NA_1 && type != DC_IEC104_C_CS_NA_1)
    {
      if (isfinite (o->value))
        json_object_set_double_member (obj, "value", o->value);
      else
        json_object_set_null_member (obj, "value");
    }
  if (family != DC_IEC104_FAMILY_COMMAND && family != DC_IEC104_FAMILY_SYSTEM)
    json_object_set_int_member (obj, "quality", o->quality);
  if (family == DC_IEC104_FAMILY_COMMAND && type != 51 && type != 64)
    json_object_set_string_member (obj, "se", o->qualifier & 0x80 ? "select" : "execute");
  if (family == DC_IEC104_FAMILY_TOTALS)
    json_object_set_int_member (obj, "sequence", o->extra);
  if (family == DC_IEC104_FAMILY_PACKED)
    json_object_set_int_member (obj, "change_detection", o->extra);
  if (family == DC_IEC104_FAMILY_PROTECTION)
    json_object_set_int_member (obj, "elapsed_ms", o->extra);
  if (o->time_kind != DC_IEC104_TIME_NONE)
    {
      gint64 t;
      gboolean ok = TRUE;

      if (o->time_kind == DC_IEC104_TIME_CP56)
        ok = dc_iec104_time_to_us (&o->time, tz, &t);
      else
        t = dc_iec104_cp24_to_us (&o->time, receive_us, tz);
      if (ok)
        {
          g_autofree char *text = dc_time_format (t);

          json_object_set_string_member (obj, "time", text);
        }
      else
        json_object_set_null_member (obj, "time");
      if (o->time.iv)
        json_object_set_boolean_member (obj, "time_invalid", TRUE);
    }
  return obj;
}

char *
dc_iec104_decode_frame (const guint8  *bytes,
                        gsize          len,
                        GTimeZone     *tz,
                        gint64         receive_us,
                        JsonObject   **decoded,
                        char         **error)
{
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) objects = NULL;
  GString *summary = g_string_new (NULL);
  DcIec104Apci apci;
  DcIec104Asdu h;

  if (error)
    *error = NULL;

  if (!dc_iec104_parse_apci (bytes, len, &apci, &local_error))
    {
      g_string_append_printf (summary, "malformed frame: %s", local_error->message);
      goto out;
    }

  switch (apci.kind)
    {
    case DC_IEC104_FRAME_U:
      json_object_set_string_member (obj, "kind", "U");
      json_object_set_string_member (obj, "function", dc_iec104_u_name (apci.u));
      g_string_append_printf (summary, "U %s", dc_iec104_u_name (apci.u));
      goto out;

    case DC_IEC104_FRAME_S:
      json_object_set_string_member (obj, "kind", "S");
      json_object_set_int_member (obj, "nr", apci.nr);
      g_string_append_printf (summary, "S N(R)=%u", apci.nr);
      goto out;

    case DC_IEC104_FRAME_I:
    default:
      break;
    }

  json_object_set_string_member (obj, "kind", "I");
  json_object_set_int_member (obj, "ns", apci.ns);
  json_object_set_int_member (obj, "nr", apci.nr);
  g_string_append_printf (summary, "I N(S)=%u N(R)=%u", apci.ns, apci.nr);

  objects = g_array_new (FALSE, TRUE, sizeof (DcIec104Object));
  memset (&h, 0, sizeof h);
  if (apci.asdu_len >= DC_IEC104_ASDU_HEADER)
    {
      const char *tname = dc_iec104_type_name (apci.asdu[0]);
      const char *cname = dc_iec104_cause_name (apci.asdu[2] & 0x3f);

      /* The header is decoded even when the objects are not. */
      json_object_set_int_member (obj, "type", apci.asdu[0]);
      if (tname)
        json_object_set_string_member (obj, "type_name", tname);
      json_object_set_int_member (obj, "cause", apci.asdu[2] & 0x3f);
      if (cname)
        json_object_set_string_member (obj, "cause_name", cname);
      json_object_set_boolean_member (obj, "negative", (apci.asdu[2] & 0x40) != 0);
      json_object_set_boolean_member (obj, "test", (apci.asdu[2] & 0x80) != 0);
      json_object_set_int_member (obj, "oa", apci.asdu[3]);
      json_object_set_int_member (obj, "ca", rd_u16 (apci.asdu + 4));
      json_object_set_boolean_member (obj, "sq", (apci.asdu[1] & 0x80) != 0);

      if (tname)
        g_string_append_printf (summary, " %s", tname);
      else
        g_string_append_printf (summary, " TYP=%u", apci.asdu[0]);
      if (cname)
        g_string_append_printf (summary, " %s", cname);
      else
        g_string_append_printf (summary, " COT=%u", apci.asdu[2] & 0x3f);
      if (apci.asdu[2] & 0x40)
        g_string_append (summary, " neg");
      if (apci.asdu[2] & 0x80)
        g_string_append (summary, " test");
      g_string_append_printf (summary, " CA=%u", rd_u16 (apci.asdu + 4));
    }

  if (!dc_iec104_parse_asdu (apci.asdu, apci.asdu_len, &h, objects, &local_error))
    {
      g_string_append_printf (summary, " (malformed: %s)", local_error->message);
      goto out;
    }

  {
    JsonArray *arr = json_array_new ();

    for (guint i = 0; i < objects->len; i++)
      {
        const DcIec104Object *o = &g_array_index (objects, DcIec104Object, i);

        json_array_add_object_element (arr, object_to_json (h.type, o, tz, receive_us));
      }
    json_object_set_array_member (obj, "objects", arr);
  }

  if (objects->len == 1)
    {
      const DcIec104Object *o = &g_array_index (objects, DcIec104Object, 0);

      g_string_append_printf (summary, " IOA=%u", o->ioa);
      if (h.type != DC_IEC104_C_RD_NA_1 && h.type != DC_IEC104_C_CS_NA_1)
        {
          g_string_append (summary, " value=");
          format_value (summary, h.type, o);
        }
      if (dc_iec104_type_is_command (h.type) && h.type != 51 && h.type != 64)
        g_string_append (summary, o->qualifier & 0x80 ? " select" : " execute");
      if (o->quality & 0xffff)
        g_string_append_printf (summary, " q=0x%x", o->quality);
    }
  else
    {
      const DcIec104Object *first = &g_array_index (objects, DcIec104Object, 0);
      const DcIec104Object *last = &g_array_index (objects, DcIec104Object, objects->len - 1);

      g_string_append_printf (summary, " %u objects IOA=%u…%u",
                              objects->len, first->ioa, last->ioa);
    }

out:
  if (local_error != NULL && error != NULL)
    *error = g_strdup (local_error->message);
  if (decoded)
    *decoded = json_object_ref (obj);
  return g_string_free (summary, FALSE);
}
