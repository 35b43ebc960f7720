/* fuzz-modbus.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* libFuzzer target for Modbus (src/protocols/modbus): request planning and response decoding
 * as the drivers do them.
 *
 * The input is text lines, one point each, "<unit> <protocol_code> <code_type> [<value>]", up to
 * an empty line; the bytes after it are responses, each a length octet and that many bytes.
 * The points are compiled into a device's configuration (dc_modbus_config_new(): code type and
 * address parsing, the plan); the plan must cover every valid point once, inside its request,
 * within the protocol's limits. Each response answers the next planned request (round robin)
 * and goes through dc_modbus_check_response() and, when valid, the point decoding; it is also
 * run through the traffic decoder as MBAP and as RTU, request and response. A point's <value>
 * is inverse-scaled and its write request built and checked against its echo. */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dc-modbus-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define MAX_POINTS 64

static void
check_plan (const DcModbusConfig *config)
{
  const DcModbusPlan *plan = config->plan;
  guint next = 0;

  g_assert_cmpuint (plan->items->len, ==, config->points->len);
  for (guint r = 0; r < plan->requests->len; r++)
    {
      const DcModbusRequest *req = &g_array_index (plan->requests, DcModbusRequest, r);
      gboolean bits = dc_modbus_table_is_bits (req->table);

      g_assert_cmpuint (req->first_item, ==, next);
      g_assert_cmpuint (req->n_items, >, 0);
      g_assert_cmpuint (req->count, >, 0);
      g_assert_cmpuint (req->count, <=, bits ? DC_MODBUS_MAX_BITS : DC_MODBUS_MAX_REGISTERS);
      g_assert_cmpuint ((guint) req->address + req->count, <=, 65536);
      for (guint i = 0; i < req->n_items; i++)
        {
          const DcModbusPlanItem *it = &g_array_index (plan->items, DcModbusPlanItem,
                                                       req->first_item + i);

          g_assert_cmpuint (it->unit, ==, req->unit);
          g_assert_cmpuint (it->code_type.table, ==, req->table);
          g_assert_cmpuint (it->address, >=, req->address);
          g_assert_cmpuint ((guint) it->address + dc_modbus_code_type_width (&it->code_type), <=,
                            (guint) req->address + req->count);
        }
      next += req->n_items;
    }
  g_assert_cmpuint (next, ==, plan->items->len);
}

static void
decode_frame (const guint8 *bytes,
              gsize         len,
              gboolean      rtu,
              gboolean      incoming)
{
  g_autoptr(JsonObject) decoded = NULL;
  g_autofree char *error = NULL;
  g_autofree char *summary = dc_modbus_decode_frame (bytes, len, rtu, incoming, &decoded, &error);

  g_assert_nonnull (summary);
  g_assert_true (g_utf8_validate (summary, -1, NULL));
  g_assert_true (decoded != NULL || error != NULL);
}

/* A point's write request, checked against its own echo as a device answers it. */
static void
check_write (const DcModbusPoint *point,
             double               value)
{
  g_autoptr(GError) error = NULL;
  guint8 pdu[253];
  guint8 echo[253];
  guint8 exception = 0;
  g_autofree char *check_error = NULL;
  double raw;
  gsize len;

  if (!dc_modbus_inverse_scale (&point->ct, value, point->coefficient, point->base_val, &raw,
                                &error))
    {
      g_assert_nonnull (error);
      return;
    }
  g_assert_true (isfinite (raw));
  len = dc_modbus_ctrl_write_pdu (point, raw, point->address % 2 == 0, 0x5a5a, pdu);
  g_assert_cmpuint (len, >=, 5);
  g_assert_cmpuint (len, <=, sizeof pdu);
  memcpy (echo, pdu, len);
  if (pdu[0] == DC_MODBUS_FC_WRITE_MULTIPLE_REGISTERS)
    g_assert_true (dc_modbus_check_response (pdu, len, echo, 5, NULL, &exception, &check_error));
  else
    g_assert_true (dc_modbus_check_response (pdu, len, echo, len, NULL, &exception,
                                             &check_error));
  g_assert_cmpuint (exception, ==, 0);
  decode_frame (pdu, len, FALSE, FALSE);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_point_info_free);
  g_autoptr(GArray) values_to_write = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (DcSample));
  const guint8 *end = data + size;
  const guint8 *p = data;
  DcModbusConfig *config;
  guint n_requests;
  guint r = 0;

  /* The point lines. */
  while (p < end && infos->len < MAX_POINTS)
    {
      const guint8 *eol = memchr (p, '\n', end - p);
      g_autofree char *line = g_strndup ((const char *) p, (eol != NULL ? eol : end) - p);
      g_auto(GStrv) fields = NULL;
      g_autoptr(JsonObject) term = NULL;
      g_autoptr(JsonObject) json = json_object_new ();
      DcPointInfo *info;
      double value = NAN;

      p = eol != NULL ? eol + 1 : end;
      if (line[0] == '\0')
        break;
      fields = g_strsplit (line, " ", 5);
      if (g_strv_length (fields) < 3)
        continue;

      /* One term per line: "t<n>" with the unit as its address (the drivers' view). */
      term = json_object_new ();
      json_object_set_string_member (term, "id", fields[0]);
      json_object_set_int_member (term, "address", g_ascii_strtoll (fields[0], NULL, 10));
      g_ptr_array_add (terms, g_steal_pointer (&term));

      json_object_set_string_member (json, "term_id", fields[0]);
      json_object_set_string_member (json, "item_id", "i");
      json_object_set_string_member (json, "protocol_code", fields[1]);
      json_object_set_string_member (json, "code_type", fields[2]);
      if (fields[3] != NULL)
        value = g_ascii_strtod (fields[3], NULL);
      if (fields[3] != NULL && fields[4] != NULL)
        json_object_set_double_member (json, "coefficient", g_ascii_strtod (fields[4], NULL));
      info = dc_point_info_new_from_json (infos->len + 1, json);
      if (info == NULL)
        continue;
      g_ptr_array_add (infos, info);
      g_array_append_val (values_to_write, value);
    }

  config = dc_modbus_config_new (terms, infos, size > 0 && data[0] == 'r');
  check_plan (config);
  n_requests = config->plan->requests->len;

  for (guint i = 0; i < config->points->len; i++)
    {
      const DcModbusPoint *point = &g_array_index (config->points, DcModbusPoint, i);
      guint8 pdu[253];
      guint i_info;

      g_assert_cmpuint (dc_modbus_point_read_pdu (point, pdu), ==, 5);
      /* The point's own line (keys count from 1 in line order). */
      for (i_info = 0; i_info < infos->len; i_info++)
        if (((DcPointInfo *) g_ptr_array_index (infos, i_info))->key == point->key)
          break;
      g_assert_cmpuint (i_info, <, infos->len);
      if (!isnan (g_array_index (values_to_write, double, i_info)))
        check_write (point, g_array_index (values_to_write, double, i_info));
    }

  /* The responses. */
  while (p < end)
    {
      gsize len = *p++;
      g_autofree guint8 *frame = NULL;

      if (len > (gsize) (end - p))
        len = end - p;
      /* A copy of exactly the response, so that AddressSanitizer sees any over-read. */
      frame = g_malloc (MAX (len, 1));
      memcpy (frame, p, len);
      p += len;

      decode_frame (frame, len, FALSE, TRUE);
      decode_frame (frame, len, FALSE, FALSE);
      decode_frame (frame, len, TRUE, TRUE);
      decode_frame (frame, len, TRUE, FALSE);
      if (len >= DC_MODBUS_MBAP_HEADER)
        {
          gsize flen = dc_modbus_mbap_frame_length (frame);

          g_assert_true (flen == 0 || (flen >= 8 && flen <= DC_MODBUS_MAX_ADU));
        }

      if (n_requests > 0)
        {
          const DcModbusRequest *req = &g_array_index (config->plan->requests, DcModbusRequest,
                                                       r);
          guint16 *values = g_new0 (guint16, req->count);
          g_autofree char *error = NULL;
          guint8 request[253];
          guint8 exception = 0;
          gsize request_len = dc_modbus_pdu_read (request, dc_modbus_table_read_function (req->table),
                                                  req->address, req->count);

          if (dc_modbus_check_response (request, request_len, frame, len, values, &exception,
                                        &error))
            {
              guint before = batch->len;

              g_assert_null (error);
              dc_modbus_config_decode (config, r, values, 1, batch);
              g_assert_cmpuint (batch->len, ==, before + req->n_items);
              for (guint i = before; i < batch->len; i++)
                {
                  const DcSample *s = &g_array_index (batch, DcSample, i);

                  g_assert_true (isfinite (s->value) == (s->quality == DC_QUALITY_GOOD));
                }
            }
          else
            {
              g_assert_true ((error != NULL) != (exception != 0));
              dc_modbus_config_mark (config, r, DC_QUALITY_INVALID, 1, batch);
            }
          g_free (values);
          r = (r + 1) % n_requests;
        }
    }

  dc_modbus_config_unref (config);
  return 0;
}
