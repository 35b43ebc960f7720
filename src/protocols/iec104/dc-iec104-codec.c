/* dc-iec104-codec.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-iec104-codec"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-iec104-codec-private.h"
#include "dc-sample.h"
#include "dc-time.h"

G_DEFINE_QUARK (dc-iec104-error-quark, dc_iec104_error)

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

