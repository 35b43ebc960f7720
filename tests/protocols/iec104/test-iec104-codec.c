/* test-iec104-codec.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-iec104-codec.h"
#include "dc-sample.h"

static void
assert_bytes (const guint8 *got,
              gsize         got_len,
              const char   *hex)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (gsize i = 0; i < got_len; i++)
    g_string_append_printf (s, i ? " %02x" : "%02x", got[i]);
  g_assert_cmpstr (s->str, ==, hex);
}

static void
test_reference_vectors (void)
{
  guint8 buf[6];
  DcIec104Apci apci;
  g_autoptr(GError) error = NULL;
  const guint8 startdt_act[] = { 0x68, 0x04, 0x07, 0x00, 0x00, 0x00 };
  const guint8 startdt_con[] = { 0x68, 0x04, 0x0b, 0x00, 0x00, 0x00 };
  const guint8 s74[] = { 0x68, 0x04, 0x01, 0x00, 0x94, 0x00 };

  g_assert_cmpuint (dc_iec104_build_u (buf, DC_IEC104_U_STARTDT_ACT), ==, 6);
  assert_bytes (buf, 6, "68 04 07 00 00 00");
  g_assert_cmpuint (dc_iec104_build_u (buf, DC_IEC104_U_STARTDT_CON), ==, 6);
  assert_bytes (buf, 6, "68 04 0b 00 00 00");
  g_assert_cmpuint (dc_iec104_build_s (buf, 74), ==, 6);
  assert_bytes (buf, 6, "68 04 01 00 94 00");

  g_assert_true (dc_iec104_parse_apci (startdt_act, 6, &apci, &error));
  g_assert_no_error (error);
  g_assert_cmpint (apci.kind, ==, DC_IEC104_FRAME_U);
  g_assert_cmpuint (apci.u, ==, DC_IEC104_U_STARTDT_ACT);
  g_assert_true (dc_iec104_parse_apci (startdt_con, 6, &apci, &error));
  g_assert_cmpuint (apci.u, ==, DC_IEC104_U_STARTDT_CON);
  g_assert_true (dc_iec104_parse_apci (s74, 6, &apci, &error));
  g_assert_cmpint (apci.kind, ==, DC_IEC104_FRAME_S);
  g_assert_cmpuint (apci.nr, ==, 74);
}

static void
test_i_frame_sequence (void)
{
  guint8 frame[DC_IEC104_MAX_FRAME];
  const guint8 asdu[] = { 100, 1, 6, 0, 1, 0, 0, 0, 0, 20 };
  DcIec104Apci apci;
  g_autoptr(GError) error = NULL;
  gsize n;

  n = dc_iec104_build_i (frame, 32767, 1, asdu, sizeof asdu);
  g_assert_cmpuint (n, ==, 16);
  assert_bytes (frame, n, "68 0e fe ff 02 00 64 01 06 00 01 00 00 00 00 14");
  g_assert_true (dc_iec104_parse_apci (frame, n, &apci, &error));
  g_assert_no_error (error);
  g_assert_cmpint (apci.kind, ==, DC_IEC104_FRAME_I);
  g_assert_cmpuint (apci.ns, ==, 32767);
  g_assert_cmpuint (apci.nr, ==, 1);
  g_assert_cmpuint (apci.asdu_len, ==, sizeof asdu);
  g_assert_true (memcmp (apci.asdu, asdu, sizeof asdu) == 0);

  dc_iec104_set_i_seq (frame, 5, 32768 + 7);  /* wraps to 7 */
  g_assert_true (dc_iec104_parse_apci (frame, n, &apci, &error));
  g_assert_cmpuint (apci.ns, ==, 5);
  g_assert_cmpuint (apci.nr, ==, 7);
}

static void
test_frame_length (void)
{
  const guint8 good[] = { 0x68, 0x04, 0x43, 0x00, 0x00, 0x00, 0x68 };
  const guint8 bad_start[] = { 0x69, 0x04 };
  const guint8 bad_len[] = { 0x68, 0x02 };
  const guint8 bad_len2[] = { 0x68, 0xfe };
  const guint8 s_long[] = { 0x68, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00 };
  const guint8 u_unknown[] = { 0x68, 0x04, 0x0f, 0x00, 0x00, 0x00 };
  g_autoptr(GError) error = NULL;
  DcIec104Apci apci;

  g_assert_cmpint (dc_iec104_frame_length (good, 0, &error), ==, 0);
  g_assert_cmpint (dc_iec104_frame_length (good, 1, &error), ==, 0);
  g_assert_cmpint (dc_iec104_frame_length (good, 5, &error), ==, 0);
  g_assert_cmpint (dc_iec104_frame_length (good, 7, &error), ==, 6);
  g_assert_no_error (error);

  g_assert_cmpint (dc_iec104_frame_length (bad_start, 2, &error), ==, -1);
  g_assert_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_BAD_FRAME);
  g_assert_cmpstr (error->message, ==, "start octet 0x69 is not 0x68");
  g_clear_error (&error);
  g_assert_cmpint (dc_iec104_frame_length (bad_len, 2, &error), ==, -1);
  g_assert_cmpstr (error->message, ==, "APDU length 2 is outside 4…253");
  g_clear_error (&error);
  g_assert_cmpint (dc_iec104_frame_length (bad_len2, 2, &error), ==, -1);
  g_clear_error (&error);

  g_assert_false (dc_iec104_parse_apci (good, 5, &apci, &error));
  g_assert_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_TRUNCATED);
  g_clear_error (&error);
  g_assert_false (dc_iec104_parse_apci (s_long, sizeof s_long, &apci, &error));
  g_assert_cmpstr (error->message, ==, "S-frame with APDU length 5 (must be 4)");
  g_clear_error (&error);
  g_assert_false (dc_iec104_parse_apci (u_unknown, sizeof u_unknown, &apci, &error));
  g_assert_cmpstr (error->message, ==, "U-frame with unknown function 0x0f");
}

/* A representative value per type; @i varies objects. */
static void
sample_object (guint8          type,
               guint           i,
               DcIec104Object *o)
{
  memset (o, 0, sizeof *o);
  o->ioa = 1000 + i;
  switch (dc_iec104_type_family (type))
    {
    case DC_IEC104_FAMILY_SINGLE:
      o->value = i % 2;
      o->quality = i == 1 ? (DC_QUALITY_INVALID | DC_QUALITY_BLOCKED) : 0;
      break;
    case DC_IEC104_FAMILY_DOUBLE:
      o->value = (i + 1) % 4;
      o->quality = i == 1 ? DC_QUALITY_NOT_TOPICAL : 0;
      break;
    case DC_IEC104_FAMILY_STEP:
      o->value = i == 0 ? -64 : i == 1 ? 63 : -1;
      o->quality = i == 2 ? (DC_QUALITY_TRANSIENT | DC_QUALITY_OVERFLOW) : 0;
      break;
    case DC_IEC104_FAMILY_BITSTRING:
      o->value = i == 0 ? 4294967295.0 : 0x12345678 + i;
      o->quality = i == 1 ? DC_QUALITY_SUBSTITUTED : 0;
      break;
    case DC_IEC104_FAMILY_NORMALIZED:
      o->value = i == 0 ? -1.0 : i == 1 ? 32767.0 / 32768.0 : -0.5;
      o->quality = (type != 21 && i == 1) ? DC_QUALITY_OVERFLOW : 0;
      break;
    case DC_IEC104_FAMILY_SCALED:
      o->value = i == 0 ? -32768 : i == 1 ? 32767 : -2;
      o->quality = i == 2 ? DC_QUALITY_INVALID : 0;
      break;
    case DC_IEC104_FAMILY_FLOAT:
      o->value = i == 0 ? -1.5 : i == 1 ? 1e30f : 230.25;
      o->quality = i == 1 ? DC_QUALITY_OVERFLOW : 0;
      break;
    case DC_IEC104_FAMILY_TOTALS:
      o->value = i == 0 ? G_MININT32 : i == 1 ? G_MAXINT32 : -1;
      o->extra = (guint16) (i + 30) & 0x1f;
      o->quality = i == 1 ? (DC_QUALITY_COUNTER_CARRY | DC_QUALITY_COUNTER_ADJUSTED |
                             DC_QUALITY_INVALID) : 0;
      break;
    case DC_IEC104_FAMILY_PACKED:
      o->value = 0xa5a5 + i;
      o->extra = 0x00ff;
      break;
    case DC_IEC104_FAMILY_PROTECTION:
      o->value = i % 4;
      o->extra = 1234 + i;
      o->quality = i == 1 ? DC_QUALITY_ELAPSED_INVALID : 0;
      break;
    case DC_IEC104_FAMILY_COMMAND:
      switch (type)
        {
        case 45: case 58: o->value = i % 2; break;
        case 46: case 59: case 47: case 60: o->value = 1 + i % 2; break;
        case 48: case 61: o->value = -0.25; break;
        case 49: case 62: o->value = -300; break;
        case 50: case 63: o->value = 42.5; break;
        default: o->value = 3000000000.0; break;
        }
      if (type != 51 && type != 64)
        o->qualifier = i == 0 ? 0x80 : 0;
      break;
    case DC_IEC104_FAMILY_SYSTEM:
      if (type == 100)
        o->value = o->qualifier = 20;
      else if (type == 101)
        {
          o->value = 5;
          o->qualifier = 0x40;
        }
      else if (type == 70)
        {
          o->value = 2;
          o->qualifier = 0x80;
        }
      break;
    case DC_IEC104_FAMILY_NONE:
    default:
      g_assert_not_reached ();
    }

  o->time_kind = dc_iec104_type_time (type);
  if (o->time_kind != DC_IEC104_TIME_NONE)
    {
      dc_iec104_time_from_us (&o->time, 1710510330250000 + i * 61001000, NULL);
      if (o->time_kind == DC_IEC104_TIME_CP24)
        {
          DcIec104Time t = { .ms = o->time.ms, .minute = o->time.minute };
          o->time = t;
        }
      if (i == 2)
        {
          o->time.iv = TRUE;
          o->quality |= DC_QUALITY_TIME_INVALID;
        }
    }
}

static void
assert_object_equal (const DcIec104Object *a,
                     const DcIec104Object *b)
{
  g_assert_cmpuint (a->ioa, ==, b->ioa);
  if (isnan (a->value))
    g_assert_true (isnan (b->value));
  else
    g_assert_cmpfloat (a->value, ==, b->value);
  g_assert_cmpuint (a->quality, ==, b->quality);
  g_assert_cmpuint (a->qualifier, ==, b->qualifier);
  g_assert_cmpuint (a->extra, ==, b->extra);
  g_assert_cmpint (a->time_kind, ==, b->time_kind);
  g_assert_true (memcmp (&a->time, &b->time, sizeof a->time) == 0);
}

static void
test_round_trip_type (gconstpointer data)
{
  guint8 type = GPOINTER_TO_UINT (data);

  for (int sq = 0; sq <= 1; sq++)
    {
      DcIec104Object in[3];
      DcIec104Asdu h = { .type = type, .sq = sq, .cause = 3, .negative = TRUE, .test = TRUE,
                         .oa = 7, .ca = 0xfffe };
      DcIec104Asdu out_h;
      guint8 buf[DC_IEC104_MAX_ASDU], buf2[DC_IEC104_MAX_ASDU];
      g_autoptr(GArray) objects = g_array_new (FALSE, TRUE, sizeof (DcIec104Object));
      g_autoptr(GError) error = NULL;
      gsize n, n2;
      int size = dc_iec104_object_size (type);

      for (guint i = 0; i < 3; i++)
        sample_object (type, i, &in[i]);

      n = dc_iec104_build_asdu (buf, sizeof buf, &h, in, 3, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, 6 + (sq ? 3 + 3 * size : 3 * (3 + size)));

      g_assert_true (dc_iec104_parse_asdu (buf, n, &out_h, objects, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (out_h.type, ==, type);
      g_assert_cmpint (out_h.sq, ==, sq);
      g_assert_cmpuint (out_h.count, ==, 3);
      g_assert_cmpuint (out_h.cause, ==, 3);
      g_assert_true (out_h.negative);
      g_assert_true (out_h.test);
      g_assert_cmpuint (out_h.oa, ==, 7);
      g_assert_cmpuint (out_h.ca, ==, 0xfffe);
      g_assert_cmpuint (objects->len, ==, 3);
      for (guint i = 0; i < 3; i++)
        assert_object_equal (&in[i], &g_array_index (objects, DcIec104Object, i));

      /* And back to the same octets. */
      n2 = dc_iec104_build_asdu (buf2, sizeof buf2, &out_h, (DcIec104Object *) objects->data,
                                 objects->len, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (n2, ==, n);
      g_assert_true (memcmp (buf, buf2, n) == 0);

      /* Every shorter prefix is an error, never a crash or an over-read. */
      for (gsize cut = 0; cut < n; cut++)
        {
          g_autofree guint8 *copy = g_memdup2 (buf, cut ? cut : 1);

          g_assert_false (dc_iec104_parse_asdu (copy, cut, NULL, objects, &error));
          g_assert_nonnull (error);
          g_clear_error (&error);
        }
    }
}

static void
test_signs (void)
{
  DcIec104Asdu h = { .type = 11, .cause = 3, .ca = 1 };
  DcIec104Object o = { .ioa = 1, .value = -2 };
  guint8 buf[64];
  gsize n;

  n = dc_iec104_build_asdu (buf, sizeof buf, &h, &o, 1, NULL);
  assert_bytes (buf, n, "0b 01 03 00 01 00 01 00 00 fe ff 00");
  h.type = 9;
  o.value = -0.5;
  n = dc_iec104_build_asdu (buf, sizeof buf, &h, &o, 1, NULL);
  assert_bytes (buf, n, "09 01 03 00 01 00 01 00 00 00 c0 00");
  h.type = 15;
  o.value = -1;
  o.extra = 3;
  o.quality = DC_QUALITY_COUNTER_CARRY;
  n = dc_iec104_build_asdu (buf, sizeof buf, &h, &o, 1, NULL);
  assert_bytes (buf, n, "0f 01 03 00 01 00 01 00 00 ff ff ff ff 23");
  h.type = 5;
  o.value = -3;
  o.quality = DC_QUALITY_TRANSIENT;
  n = dc_iec104_build_asdu (buf, sizeof buf, &h, &o, 1, NULL);
  assert_bytes (buf, n, "05 01 03 00 01 00 01 00 00 fd 00");
  h.type = 13;
  o.value = -1.0;
  o.quality = DC_QUALITY_INVALID;
  n = dc_iec104_build_asdu (buf, sizeof buf, &h, &o, 1, NULL);
  assert_bytes (buf, n, "0d 01 03 00 01 00 01 00 00 00 00 80 bf 80");
}

static void
test_range_errors (void)
{
  DcIec104Asdu h = { .type = 46, .cause = 6, .ca = 1 };
  DcIec104Object o = { .ioa = 1, .value = 4 };
  guint8 buf[DC_IEC104_MAX_ASDU];
  DcIec104Object many[31];
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (dc_iec104_build_asdu (buf, sizeof buf, &h, &o, 1, &error), ==, 0);
  g_assert_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_RANGE);
  g_assert_cmpstr (error->message, ==, "value 4 is out of range for C_DC_NA_1 (0…3)");
  g_clear_error (&error);

  h.type = 48;
  o.value = 1.0;
  g_assert_cmpuint (dc_iec104_build_asdu (buf, sizeof buf, &h, &o, 1, &error), ==, 0);
  g_assert_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_RANGE);
  g_clear_error (&error);

  /* 30 short floats with IOAs fit in one ASDU (246 octets), 31 do not. */
  memset (many, 0, sizeof many);
  h.type = 13;
  g_assert_cmpuint (dc_iec104_build_asdu (buf, sizeof buf, &h, many, 30, &error), ==, 246);
  g_assert_cmpuint (dc_iec104_build_asdu (buf, sizeof buf, &h, many, 31, &error), ==, 0);
  g_assert_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_RANGE);
}

static void
test_malformed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) objects = g_array_new (FALSE, TRUE, sizeof (DcIec104Object));
  const guint8 unknown[] = { 99, 1, 3, 0, 1, 0, 1, 0, 0, 0 };
  const guint8 zero[] = { 13, 0, 3, 0, 1, 0 };
  const guint8 trailing[] = { 1, 1, 3, 0, 1, 0, 1, 0, 0, 1, 0xaa };
  const guint8 short_float[] = { 13, 2, 3, 0, 1, 0, 1, 0, 0, 0, 0, 0x80, 0x3f, 0, 2, 0, 0 };
  const guint8 sq_wrap[] = { 1, 0x82, 3, 0, 1, 0, 0xff, 0xff, 0xff, 1, 0 };
  const guint8 pn_t[] = { 1, 1, 0xc3, 9, 1, 0, 1, 0, 0, 1 };
  DcIec104Asdu h;

  g_assert_false (dc_iec104_parse_asdu (unknown, sizeof unknown, &h, objects, &error));
  g_assert_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_UNKNOWN_TYPE);
  g_assert_cmpstr (error->message, ==, "unknown type identification 99");
  g_clear_error (&error);

  g_assert_false (dc_iec104_parse_asdu (zero, sizeof zero, &h, objects, &error));
  g_assert_cmpstr (error->message, ==, "M_ME_NC_1 with no information objects (VSQ 0x00)");
  g_clear_error (&error);

  g_assert_false (dc_iec104_parse_asdu (trailing, sizeof trailing, &h, objects, &error));
  g_assert_cmpstr (error->message, ==, "M_SP_NA_1 with 1 objects (SQ=0): 1 trailing octets");
  g_clear_error (&error);

  g_assert_false (dc_iec104_parse_asdu (short_float, sizeof short_float, &h, objects, &error));
  g_assert_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_TRUNCATED);
  g_assert_cmpstr (error->message, ==,
                   "M_ME_NC_1 with 2 objects (SQ=0) needs 16 octets after the header, got 11");
  g_clear_error (&error);

  g_assert_false (dc_iec104_parse_asdu (sq_wrap, sizeof sq_wrap, &h, objects, &error));
  g_assert_error (error, DC_IEC104_ERROR, DC_IEC104_ERROR_BAD_OBJECT);
  g_clear_error (&error);

  /* P/N and T are never parse errors; any originator address. */
  g_assert_true (dc_iec104_parse_asdu (pn_t, sizeof pn_t, &h, objects, &error));
  g_assert_no_error (error);
  g_assert_true (h.negative);
  g_assert_true (h.test);
  g_assert_cmpuint (h.oa, ==, 9);
  g_assert_cmpuint (h.cause, ==, 3);
}

static void
test_cp56_known_date (void)
{
  /* 2024-03-15 13:45:30.250 UTC, a Friday. */
  const gint64 t = 1710510330250000;
  DcIec104Asdu h = { .type = DC_IEC104_C_CS_NA_1, .cause = 6, .ca = 1 };
  DcIec104Object o = { 0 };
  guint8 buf[32];
  gint64 back = 0;
  gsize n;

  dc_iec104_time_from_us (&o.time, t, NULL);
  g_assert_cmpuint (o.time.ms, ==, 30250);
  g_assert_cmpuint (o.time.minute, ==, 45);
  g_assert_cmpuint (o.time.hour, ==, 13);
  g_assert_cmpuint (o.time.day, ==, 15);
  g_assert_cmpuint (o.time.dow, ==, 5);
  g_assert_cmpuint (o.time.month, ==, 3);
  g_assert_cmpuint (o.time.year, ==, 24);
  g_assert_false (o.time.su);
  n = dc_iec104_build_asdu (buf, sizeof buf, &h, &o, 1, NULL);
  assert_bytes (buf, n, "67 01 06 00 01 00 00 00 00 2a 76 2d 0d af 03 18");

  g_assert_true (dc_iec104_time_to_us (&o.time, NULL, &back));
  g_assert_cmpint (back, ==, t);

  /* Impossible fields are refused. */
  o.time.month = 2;
  o.time.day = 30;
  g_assert_false (dc_iec104_time_to_us (&o.time, NULL, &back));
  o.time.month = 13;
  g_assert_false (dc_iec104_time_to_us (&o.time, NULL, &back));
}

static void
test_time_zones (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GTimeZone) shanghai = g_time_zone_new_identifier ("Asia/Shanghai");
  DcIec104Time tm;
  gint64 back;
  /* 2024-07-01 12:00:00 UTC */
  const gint64 summer = 1719835200000000;
  /* 2024-01-10 12:00:00 UTC */
  const gint64 winter = 1704888000000000;

  if (berlin == NULL || shanghai == NULL)
    {
      g_test_skip ("tzdata missing");
      return;
    }

  dc_iec104_time_from_us (&tm, summer, berlin);
  g_assert_cmpuint (tm.hour, ==, 14);
  g_assert_true (tm.su);
  g_assert_true (dc_iec104_time_to_us (&tm, berlin, &back));
  g_assert_cmpint (back, ==, summer);

  dc_iec104_time_from_us (&tm, winter, berlin);
  g_assert_cmpuint (tm.hour, ==, 13);
  g_assert_false (tm.su);
  g_assert_true (dc_iec104_time_to_us (&tm, berlin, &back));
  g_assert_cmpint (back, ==, winter);

  dc_iec104_time_from_us (&tm, winter, shanghai);
  g_assert_cmpuint (tm.hour, ==, 20);
  g_assert_true (dc_iec104_time_to_us (&tm, shanghai, &back));
  g_assert_cmpint (back, ==, winter);

  /* A local-time station's 20:00 read as UTC would be 8 hours off. */
  g_assert_true (dc_iec104_time_to_us (&tm, NULL, &back));
  g_assert_cmpint (back - winter, ==, 8 * G_GINT64_CONSTANT (3600000000));
}

static void
test_cp24 (void)
{
  /* 2024-03-15 10:59:50 UTC */
  const gint64 recv = 1710500390000000;
  DcIec104Time tm = { .minute = 0, .ms = 5000 };

  /* Minute 0 just after a receive time of xx:59:50 belongs to the next hour. */
  g_assert_cmpint (dc_iec104_cp24_to_us (&tm, recv, NULL), ==, recv + 15000000);
  /* 59:58 received at 11:00:10 belongs to the previous hour. */
  tm.minute = 59;
  tm.ms = 58000;
  g_assert_cmpint (dc_iec104_cp24_to_us (&tm, recv + 20000000, NULL), ==, recv + 8000000);
  /* Same hour. */
  tm.minute = 30;
  tm.ms = 0;
  g_assert_cmpint (dc_iec104_cp24_to_us (&tm, recv, NULL), ==, recv - 29 * 60000000 - 50000000);
}

static void
test_decode_frame (void)
{
  const guint8 startdt[] = { 0x68, 0x04, 0x07, 0x00, 0x00, 0x00 };
  const guint8 s74[] = { 0x68, 0x04, 0x01, 0x00, 0x94, 0x00 };
  /* I N(S)=2 N(R)=1, M_DP_TB_1 spont CA=1 IOA=1001 on, 2024-03-15 13:45:30.250 */
  const guint8 dp[] = { 0x68, 0x15, 0x04, 0x00, 0x02, 0x00, 31, 1, 3, 0, 1, 0, 0xe9, 0x03, 0x00,
                        0x02, 0x2a, 0x76, 0x2d, 0x0d, 0xaf, 0x03, 0x18 };
  /* I with a negative act-con of C_DC_NA_1 select */
  const guint8 neg[] = { 0x68, 0x0e, 0x00, 0x00, 0x00, 0x00, 46, 1, 0x47, 0, 1, 0, 0xe9, 0x03,
                         0x00, 0x82 };
  const guint8 bad[] = { 0x68, 0x0e, 0x00, 0x00, 0x00, 0x00, 13, 2, 3, 0, 1, 0, 1, 0, 0, 0 };
  g_autoptr(JsonObject) obj = NULL;
  g_autofree char *err = NULL;
  g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL, *s5 = NULL;
  JsonArray *objects;
  JsonObject *o;

  s1 = dc_iec104_decode_frame (startdt, sizeof startdt, NULL, 0, &obj, &err);
  g_assert_cmpstr (s1, ==, "U STARTDT act");
  g_assert_null (err);
  g_assert_cmpstr (json_object_get_string_member (obj, "kind"), ==, "U");
  g_clear_pointer (&obj, json_object_unref);

  s2 = dc_iec104_decode_frame (s74, sizeof s74, NULL, 0, &obj, &err);
  g_assert_cmpstr (s2, ==, "S N(R)=74");
  g_assert_cmpint (json_object_get_int_member (obj, "nr"), ==, 74);
  g_clear_pointer (&obj, json_object_unref);

  s3 = dc_iec104_decode_frame (dp, sizeof dp, NULL, 0, &obj, &err);
  g_assert_null (err);
  g_assert_cmpstr (s3, ==, "I N(S)=2 N(R)=1 M_DP_TB_1 spont CA=1 IOA=1001 value=2");
  g_assert_cmpstr (json_object_get_string_member (obj, "type_name"), ==, "M_DP_TB_1");
  g_assert_cmpstr (json_object_get_string_member (obj, "cause_name"), ==, "spont");
  objects = json_object_get_array_member (obj, "objects");
  g_assert_cmpuint (json_array_get_length (objects), ==, 1);
  o = json_array_get_object_element (objects, 0);
  g_assert_cmpint (json_object_get_int_member (o, "ioa"), ==, 1001);
  g_assert_cmpfloat (json_object_get_double_member (o, "value"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (o, "quality"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "time"), ==, "2024-03-15T13:45:30.250000Z");
  g_clear_pointer (&obj, json_object_unref);

  s4 = dc_iec104_decode_frame (neg, sizeof neg, NULL, 0, &obj, &err);
  g_assert_cmpstr (s4, ==, "I N(S)=0 N(R)=0 C_DC_NA_1 actcon neg CA=1 IOA=1001 value=2 select");
  g_assert_true (json_object_get_boolean_member (obj, "negative"));
  g_clear_pointer (&obj, json_object_unref);

  s5 = dc_iec104_decode_frame (bad, sizeof bad, NULL, 0, &obj, &err);
  g_assert_cmpstr (err, ==,
                   "M_ME_NC_1 with 2 objects (SQ=0) needs 16 octets after the header, got 4");
  g_assert_true (g_str_has_prefix (s5, "I N(S)=0 N(R)=0 M_ME_NC_1 spont CA=1 (malformed: "));
  g_assert_cmpint (json_object_get_int_member (obj, "type"), ==, 13);
  g_assert_false (json_object_has_member (obj, "objects"));
}

int
main (int   argc,
      char *argv[])
{
  static const guint8 types[] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 21,
    30, 31, 32, 33, 34, 35, 36, 37, 38, 70,
    45, 46, 47, 48, 49, 50, 51, 58, 59, 60, 61, 62, 63, 64, 100, 101, 102, 103,
  };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/iec104/codec/reference-vectors", test_reference_vectors);
  g_test_add_func ("/dc/iec104/codec/i-frame-sequence", test_i_frame_sequence);
  g_test_add_func ("/dc/iec104/codec/frame-length", test_frame_length);
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/iec104/codec/round-trip/%s",
                                               dc_iec104_type_name (types[i]));

      g_test_add_data_func (path, GUINT_TO_POINTER (types[i]), test_round_trip_type);
    }
  g_test_add_func ("/dc/iec104/codec/signs", test_signs);
  g_test_add_func ("/dc/iec104/codec/range-errors", test_range_errors);
  g_test_add_func ("/dc/iec104/codec/malformed", test_malformed);
  g_test_add_func ("/dc/iec104/codec/cp56-known-date", test_cp56_known_date);
  g_test_add_func ("/dc/iec104/codec/time-zones", test_time_zones);
  g_test_add_func ("/dc/iec104/codec/cp24", test_cp24);
  g_test_add_func ("/dc/iec104/codec/decode-frame", test_decode_frame);

  return g_test_run ();
}
