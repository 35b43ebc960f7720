/* dc-modbus-frame.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The frame half of the Modbus codec (dc-modbus-codec.h; docs/modbus.md): PDU builders, MBAP
 * and RTU framing, CRC, response checks and the traffic view's frame decoding. Code types,
 * values and request planning are in dc-modbus-codec.c.
 */

#define G_LOG_DOMAIN "dc-modbus-codec"

#include "config.h"

#include "dc-modbus-codec.h"

#include <string.h>

/* Frames */

static inline void
put16 (guint8  *p,
       guint16  v)
{
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

static inline guint16
get16 (const guint8 *p)
{
  return (p[0] << 8) | p[1];
}

gsize
dc_modbus_pdu_read (guint8  *pdu,
                    guint8   function,
                    guint16  address,
                    guint16  count)
{
  pdu[0] = function;
  put16 (pdu + 1, address);
  put16 (pdu + 3, count);
  return 5;
}

gsize
dc_modbus_pdu_write_coil (guint8   *pdu,
                          guint16   address,
                          gboolean  on)
{
  pdu[0] = DC_MODBUS_FC_WRITE_SINGLE_COIL;
  put16 (pdu + 1, address);
  put16 (pdu + 3, on ? 0xff00 : 0x0000);
  return 5;
}

gsize
dc_modbus_pdu_write_register (guint8  *pdu,
                              guint16  address,
                              guint16  value)
{
  pdu[0] = DC_MODBUS_FC_WRITE_SINGLE_REGISTER;
  put16 (pdu + 1, address);
  put16 (pdu + 3, value);
  return 5;
}

gsize
dc_modbus_pdu_write_registers (guint8        *pdu,
                               guint16        address,
                               const guint16 *values,
                               guint16        count)
{
  g_return_val_if_fail (count >= 1 && count <= DC_MODBUS_MAX_WRITE_REGS, 0);

  pdu[0] = DC_MODBUS_FC_WRITE_MULTIPLE_REGISTERS;
  put16 (pdu + 1, address);
  put16 (pdu + 3, count);
  pdu[5] = count * 2;
  for (guint i = 0; i < count; i++)
    put16 (pdu + 6 + 2 * i, values[i]);
  return 6 + 2 * count;
}

gsize
dc_modbus_pdu_mask_write (guint8  *pdu,
                          guint16  address,
                          guint16  and_mask,
                          guint16  or_mask)
{
  pdu[0] = DC_MODBUS_FC_MASK_WRITE_REGISTER;
  put16 (pdu + 1, address);
  put16 (pdu + 3, and_mask);
  put16 (pdu + 5, or_mask);
  return 7;
}

gsize
dc_modbus_mbap_wrap (guint8       *adu,
                     guint16       transaction,
                     guint8        unit,
                     const guint8 *pdu,
                     gsize         pdu_len)
{
  g_return_val_if_fail (pdu_len >= 1 && pdu_len <= 253, 0);

  put16 (adu, transaction);
  put16 (adu + 2, 0);
  put16 (adu + 4, pdu_len + 1);
  adu[6] = unit;
  memmove (adu + 7, pdu, pdu_len);
  return pdu_len + 7;
}

gsize
dc_modbus_mbap_frame_length (const guint8 *buf)
{
  guint16 len = get16 (buf + 4);

  if (get16 (buf + 2) != 0 || len < 2 || len > 254)
    return 0;
  return 6 + len;
}

guint16
dc_modbus_crc16 (const guint8 *buf,
                 gsize         len)
{
  guint16 crc = 0xffff;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= buf[i];
      for (int b = 0; b < 8; b++)
        crc = (crc & 1) ? (crc >> 1) ^ 0xa001 : crc >> 1;
    }
  return crc;
}

gboolean
dc_modbus_check_response (const guint8  *request_pdu,
                          gsize          request_len,
                          const guint8  *response_pdu,
                          gsize          response_len,
                          guint16       *values,
                          guint8        *exception,
                          char         **error)
{
  guint8 fc = request_pdu[0];

  *exception = 0;
  if (response_len < 2)
    {
      *error = g_strdup ("response too short");
      return FALSE;
    }
  if (response_pdu[0] == (fc | 0x80))
    {
      /* Code 0 is no exception: the answer is malformed (and must say why). */
      if (response_pdu[1] == 0)
        {
          *error = g_strdup ("exception response without an exception code");
          return FALSE;
        }
      *exception = response_pdu[1];
      return FALSE;
    }
  if (response_pdu[0] != fc)
    {
      *error = g_strdup_printf ("response function 0x%02x does not match request 0x%02x",
                                response_pdu[0], fc);
      return FALSE;
    }

  switch (fc)
    {
    case DC_MODBUS_FC_READ_COILS:
    case DC_MODBUS_FC_READ_DISCRETE_INPUTS:
      {
        guint count = get16 (request_pdu + 3);
        guint nbytes = (count + 7) / 8;

        if (response_pdu[1] != nbytes || response_len != 2 + nbytes)
          {
            *error = g_strdup_printf ("byte count %u, expected %u", response_pdu[1], nbytes);
            return FALSE;
          }
        for (guint i = 0; i < count && values != NULL; i++)
          values[i] = (response_pdu[2 + i / 8] >> (i % 8)) & 1;
        return TRUE;
      }
    case DC_MODBUS_FC_READ_HOLDING_REGISTERS:
    case DC_MODBUS_FC_READ_INPUT_REGISTERS:
      {
        guint count = get16 (request_pdu + 3);

        if (response_pdu[1] != count * 2 || response_len != 2 + count * 2)
          {
            *error = g_strdup_printf ("byte count %u, expected %u", response_pdu[1], count * 2);
            return FALSE;
          }
        for (guint i = 0; i < count && values != NULL; i++)
          values[i] = get16 (response_pdu + 2 + 2 * i);
        return TRUE;
      }
    case DC_MODBUS_FC_WRITE_SINGLE_COIL:
    case DC_MODBUS_FC_WRITE_SINGLE_REGISTER:
    case DC_MODBUS_FC_MASK_WRITE_REGISTER:
      if (response_len != request_len || memcmp (request_pdu, response_pdu, request_len) != 0)
        {
          *error = g_strdup ("write response does not echo the request");
          return FALSE;
        }
      return TRUE;
    case DC_MODBUS_FC_WRITE_MULTIPLE_COILS:
    case DC_MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
      if (response_len != 5 || memcmp (request_pdu, response_pdu, 5) != 0)
        {
          *error = g_strdup ("write response does not echo address and count");
          return FALSE;
        }
      return TRUE;
    default:
      *error = g_strdup_printf ("unsupported function 0x%02x", fc);
      return FALSE;
    }
}

static JsonArray *
values_array (const guint8 *p,
              guint         n,
              gboolean      bits,
              guint         n_bits)
{
  JsonArray *arr = json_array_new ();

  if (bits)
    for (guint i = 0; i < n_bits; i++)
      json_array_add_int_element (arr, (p[i / 8] >> (i % 8)) & 1);
  else
    for (guint i = 0; i < n; i++)
      json_array_add_int_element (arr, get16 (p + 2 * i));
  return arr;
}

char *
dc_modbus_decode_frame (const guint8  *bytes,
                        gsize          len,
                        gboolean       rtu,
                        gboolean       incoming,
                        JsonObject   **decoded,
                        char         **error)
{
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autoptr(GString) summary = g_string_new (NULL);
  const guint8 *pdu;
  gsize pdu_len;
  guint8 unit, fc;
  gboolean response = incoming;

  *decoded = NULL;
  *error = NULL;

  if (rtu)
    {
      if (len < 4)
        {
          *error = g_strdup ("frame too short");
          return g_strdup ("RTU frame too short");
        }
      if (dc_modbus_crc16 (bytes, len - 2) != (bytes[len - 2] | (bytes[len - 1] << 8)))
        *error = g_strdup ("CRC mismatch");
      unit = bytes[0];
      pdu = bytes + 1;
      pdu_len = len - 3;
    }
  else
    {
      gsize flen;

      if (len < 8)
        {
          *error = g_strdup ("frame too short");
          return g_strdup ("MBAP frame too short");
        }
      flen = dc_modbus_mbap_frame_length (bytes);
      if (flen == 0 || flen != len)
        *error = g_strdup_printf ("MBAP length field says %u bytes, frame has %" G_GSIZE_FORMAT,
                                  (guint) (6 + get16 (bytes + 4)), len);
      json_object_set_int_member (obj, "transaction", get16 (bytes));
      unit = bytes[6];
      pdu = bytes + 7;
      pdu_len = len - 7;
    }

  fc = pdu[0];
  json_object_set_int_member (obj, "unit", unit);
  json_object_set_int_member (obj, "function", fc & 0x7f);
  json_object_set_string_member (obj, "function_name", dc_modbus_function_name (fc));
  g_string_append_printf (summary, "%s unit %u %s", response ? "response" : "request", unit,
                          dc_modbus_function_name (fc));

  if (fc & 0x80)
    {
      if (pdu_len >= 2)
        {
          json_object_set_int_member (obj, "exception", pdu[1]);
          json_object_set_string_member (obj, "exception_name", dc_modbus_exception_name (pdu[1]));
          g_string_append_printf (summary, ": exception 0x%02x %s", pdu[1],
                                  dc_modbus_exception_name (pdu[1]));
        }
      else if (*error == NULL)
        *error = g_strdup ("exception response without code");
      goto out;
    }

  switch (fc)
    {
    case DC_MODBUS_FC_READ_COILS:
    case DC_MODBUS_FC_READ_DISCRETE_INPUTS:
    case DC_MODBUS_FC_READ_HOLDING_REGISTERS:
    case DC_MODBUS_FC_READ_INPUT_REGISTERS:
      if (!response)
        {
          if (pdu_len < 5)
            goto truncated;
          json_object_set_int_member (obj, "address", get16 (pdu + 1));
          json_object_set_int_member (obj, "count", get16 (pdu + 3));
          g_string_append_printf (summary, " address %u count %u", get16 (pdu + 1),
                                  get16 (pdu + 3));
        }
      else
        {
          gboolean bits = fc <= DC_MODBUS_FC_READ_DISCRETE_INPUTS;
          guint nbytes;

          if (pdu_len < 2 || pdu_len < 2u + pdu[1])
            goto truncated;
          nbytes = pdu[1];
          json_object_set_array_member (obj, "values",
                                        values_array (pdu + 2, nbytes / 2, bits, nbytes * 8));
          g_string_append_printf (summary, " %u %s", bits ? nbytes * 8 : nbytes / 2,
                                  bits ? "bits" : "registers");
        }
      break;
    case DC_MODBUS_FC_WRITE_SINGLE_COIL:
    case DC_MODBUS_FC_WRITE_SINGLE_REGISTER:
      if (pdu_len < 5)
        goto truncated;
      {
        JsonArray *arr = json_array_new ();
        guint v = get16 (pdu + 3);

        if (fc == DC_MODBUS_FC_WRITE_SINGLE_COIL)
          v = v == 0xff00;
        json_array_add_int_element (arr, v);
        json_object_set_int_member (obj, "address", get16 (pdu + 1));
        json_object_set_int_member (obj, "count", 1);
        json_object_set_array_member (obj, "values", arr);
        g_string_append_printf (summary, " address %u value %u", get16 (pdu + 1), v);
      }
      break;
    case DC_MODBUS_FC_WRITE_MULTIPLE_COILS:
    case DC_MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
      if (pdu_len < 5)
        goto truncated;
      json_object_set_int_member (obj, "address", get16 (pdu + 1));
      json_object_set_int_member (obj, "count", get16 (pdu + 3));
      g_string_append_printf (summary, " address %u count %u", get16 (pdu + 1), get16 (pdu + 3));
      if (!response)
        {
          gboolean bits = fc == DC_MODBUS_FC_WRITE_MULTIPLE_COILS;
          guint count = get16 (pdu + 3);

          if (pdu_len < 6 || pdu_len < 6u + pdu[5] ||
              pdu[5] < (bits ? (count + 7) / 8 : count * 2))
            goto truncated;
          json_object_set_array_member (obj, "values",
                                        values_array (pdu + 6, count, bits, count));
        }
      break;
    case DC_MODBUS_FC_MASK_WRITE_REGISTER:
      if (pdu_len < 7)
        goto truncated;
      json_object_set_int_member (obj, "address", get16 (pdu + 1));
      json_object_set_int_member (obj, "and_mask", get16 (pdu + 3));
      json_object_set_int_member (obj, "or_mask", get16 (pdu + 5));
      g_string_append_printf (summary, " address %u and 0x%04x or 0x%04x", get16 (pdu + 1),
                              get16 (pdu + 3), get16 (pdu + 5));
      break;
    default:
      if (*error == NULL)
        *error = g_strdup_printf ("unsupported function 0x%02x", fc);
      break;
    }
  goto out;

truncated:
  g_clear_pointer (error, g_free);
  *error = g_strdup ("frame truncated");

out:
  *decoded = g_steal_pointer (&obj);
  return g_string_free (g_steal_pointer (&summary), FALSE);
}
