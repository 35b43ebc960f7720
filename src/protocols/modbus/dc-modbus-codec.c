/* dc-modbus-codec.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-modbus-codec"

#include "config.h"

#include "dc-modbus-codec.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "dc-error.h"

static const char * const table_names[] = { "co", "di", "ir", "hr" };
static const char * const type_names[] = {
  "bool", "u16", "i16", "u32", "i32", "f32", "u64", "i64", "f64", "bit",
};
static const char * const order_names[] = { "abcd", "cdab", "badc", "dcba" };

const char *
dc_modbus_table_to_string (DcModbusTable table)
{
  g_return_val_if_fail (table <= DC_MODBUS_TABLE_HR, NULL);
  return table_names[table];
}

const char *
dc_modbus_type_to_string (DcModbusType type)
{
  g_return_val_if_fail (type <= DC_MODBUS_TYPE_BIT, NULL);
  return type_names[type];
}

const char *
dc_modbus_order_to_string (DcModbusOrder order)
{
  g_return_val_if_fail (order <= DC_MODBUS_ORDER_DCBA, NULL);
  return order_names[order];
}

const char *
dc_modbus_exception_name (guint8 code)
{
  switch (code)
    {
    case DC_MODBUS_EX_ILLEGAL_FUNCTION:         return "illegal function";
    case DC_MODBUS_EX_ILLEGAL_DATA_ADDRESS:     return "illegal data address";
    case DC_MODBUS_EX_ILLEGAL_DATA_VALUE:       return "illegal data value";
    case DC_MODBUS_EX_SERVER_DEVICE_FAILURE:    return "server device failure";
    case DC_MODBUS_EX_ACKNOWLEDGE:              return "acknowledge";
    case DC_MODBUS_EX_SERVER_DEVICE_BUSY:       return "server device busy";
    case DC_MODBUS_EX_MEMORY_PARITY_ERROR:      return "memory parity error";
    case DC_MODBUS_EX_GATEWAY_PATH_UNAVAILABLE: return "gateway path unavailable";
    case DC_MODBUS_EX_GATEWAY_TARGET_FAILED:    return "gateway target failed to respond";
    default:                                    return "unknown exception";
    }
}

const char *
dc_modbus_function_name (guint8 function)
{
  switch (function & 0x7f)
    {
    case DC_MODBUS_FC_READ_COILS:               return "read coils";
    case DC_MODBUS_FC_READ_DISCRETE_INPUTS:     return "read discrete inputs";
    case DC_MODBUS_FC_READ_HOLDING_REGISTERS:   return "read holding registers";
    case DC_MODBUS_FC_READ_INPUT_REGISTERS:     return "read input registers";
    case DC_MODBUS_FC_WRITE_SINGLE_COIL:        return "write single coil";
    case DC_MODBUS_FC_WRITE_SINGLE_REGISTER:    return "write single register";
    case DC_MODBUS_FC_WRITE_MULTIPLE_COILS:     return "write multiple coils";
    case DC_MODBUS_FC_WRITE_MULTIPLE_REGISTERS: return "write multiple registers";
    case DC_MODBUS_FC_MASK_WRITE_REGISTER:      return "mask write register";
    default:                                    return "unknown function";
    }
}

static guint
type_n_words (DcModbusType type)
{
  switch (type)
    {
    case DC_MODBUS_TYPE_U32:
    case DC_MODBUS_TYPE_I32:
    case DC_MODBUS_TYPE_F32:
      return 2;
    case DC_MODBUS_TYPE_U64:
    case DC_MODBUS_TYPE_I64:
    case DC_MODBUS_TYPE_F64:
      return 4;
    case DC_MODBUS_TYPE_BOOL:
    case DC_MODBUS_TYPE_U16:
    case DC_MODBUS_TYPE_I16:
    case DC_MODBUS_TYPE_BIT:
    default:
      return 1;
    }
}

static gboolean
code_type_error (GError    **error,
                 const char *text,
                 const char *reason)
{
  g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
               "field code_type %s: %s (expected <table>:<type>[:<order>], e.g. hr:f32:cdab)",
               text, reason);
  return FALSE;
}

gboolean
dc_modbus_code_type_parse (const char        *text,
                           DcModbusCodeType  *code_type,
                           GError           **error)
{
  g_auto(GStrv) parts = NULL;
  guint n_parts;
  DcModbusCodeType ct = { 0 };
  gboolean found = FALSE;

  g_return_val_if_fail (code_type != NULL, FALSE);

  if (text == NULL || *text == '\0')
    return code_type_error (error, "(empty)", "missing");

  parts = g_strsplit (text, ":", -1);
  n_parts = g_strv_length (parts);
  if (n_parts < 2 || n_parts > 3)
    return code_type_error (error, text, "wrong number of parts");

  for (guint i = 0; i < G_N_ELEMENTS (table_names); i++)
    if (strcmp (parts[0], table_names[i]) == 0)
      {
        ct.table = i;
        found = TRUE;
      }
  if (!found)
    return code_type_error (error, text, "unknown table (co, di, ir, hr)");

  found = FALSE;
  if (g_str_has_prefix (parts[1], "bit") && parts[1][3] != '\0')
    {
      guint64 bit;

      if (!g_ascii_string_to_unsigned (parts[1] + 3, 10, 0, 15, &bit, NULL))
        return code_type_error (error, text, "bit number must be 0 to 15");
      ct.type = DC_MODBUS_TYPE_BIT;
      ct.bit = bit;
      found = TRUE;
    }
  else
    {
      for (guint i = 0; i < DC_MODBUS_TYPE_BIT; i++)
        if (strcmp (parts[1], type_names[i]) == 0)
          {
            ct.type = i;
            found = TRUE;
          }
    }
  if (!found)
    return code_type_error (error, text,
                            "unknown type (bool, u16, i16, u32, i32, f32, u64, i64, f64, bitN)");

  if (dc_modbus_table_is_bits (ct.table) != (ct.type == DC_MODBUS_TYPE_BOOL))
    return code_type_error (error, text,
                            dc_modbus_table_is_bits (ct.table)
                              ? "coils and discrete inputs hold bool"
                              : "registers cannot hold bool (use bitN)");

  ct.order = DC_MODBUS_ORDER_ABCD;
  if (n_parts == 3)
    {
      found = FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (order_names); i++)
        if (strcmp (parts[2], order_names[i]) == 0)
          {
            ct.order = i;
            found = TRUE;
          }
      if (!found)
        return code_type_error (error, text, "unknown order (abcd, cdab, badc, dcba)");
      if (ct.type == DC_MODBUS_TYPE_BOOL || ct.type == DC_MODBUS_TYPE_BIT)
        return code_type_error (error, text, "an order applies to register types only");
    }

  *code_type = ct;
  return TRUE;
}

char *
dc_modbus_code_type_to_string (const DcModbusCodeType *code_type)
{
  g_return_val_if_fail (code_type != NULL, NULL);

  if (code_type->type == DC_MODBUS_TYPE_BIT)
    return g_strdup_printf ("%s:bit%u", table_names[code_type->table], code_type->bit);
  if (type_n_words (code_type->type) > 1)
    return g_strdup_printf ("%s:%s:%s", table_names[code_type->table],
                            type_names[code_type->type], order_names[code_type->order]);
  return g_strdup_printf ("%s:%s", table_names[code_type->table], type_names[code_type->type]);
}

gboolean
dc_modbus_address_parse (const char  *text,
                         guint16     *address,
                         GError     **error)
{
  guint64 v;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, 65535, &v, NULL))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "field protocol_code must be a register address between 0 and 65535");
      return FALSE;
    }
  *address = v;
  return TRUE;
}

guint
dc_modbus_code_type_width (const DcModbusCodeType *code_type)
{
  return type_n_words (code_type->type);
}

gboolean
dc_modbus_table_is_bits (DcModbusTable table)
{
  return table == DC_MODBUS_TABLE_CO || table == DC_MODBUS_TABLE_DI;
}

gboolean
dc_modbus_table_is_writable (DcModbusTable table)
{
  return table == DC_MODBUS_TABLE_CO || table == DC_MODBUS_TABLE_HR;
}

guint8
dc_modbus_table_read_function (DcModbusTable table)
{
  static const guint8 fc[] = {
    DC_MODBUS_FC_READ_COILS, DC_MODBUS_FC_READ_DISCRETE_INPUTS,
    DC_MODBUS_FC_READ_INPUT_REGISTERS, DC_MODBUS_FC_READ_HOLDING_REGISTERS,
  };

  return fc[table];
}

/* Words in the order of a big-endian value (high word first, high byte first in each). */
static void
words_to_canonical (DcModbusOrder   order,
                    const guint16  *in,
                    guint16        *out,
                    guint           n)
{
  gboolean reverse_words = order == DC_MODBUS_ORDER_CDAB || order == DC_MODBUS_ORDER_DCBA;
  gboolean swap_bytes = order == DC_MODBUS_ORDER_BADC || order == DC_MODBUS_ORDER_DCBA;

  for (guint i = 0; i < n; i++)
    {
      guint16 w = in[reverse_words ? n - 1 - i : i];

      out[i] = swap_bytes ? GUINT16_SWAP_LE_BE (w) : w;
    }
}

static guint64
words_to_u64 (const DcModbusCodeType *ct,
              const guint16          *words)
{
  guint16 canon[4];
  guint n = type_n_words (ct->type);
  guint64 v = 0;

  words_to_canonical (ct->order, words, canon, n);
  for (guint i = 0; i < n; i++)
    v = (v << 16) | canon[i];
  return v;
}

static void
u64_to_words (const DcModbusCodeType *ct,
              guint64                 v,
              guint16                *words)
{
  guint16 canon[4];
  guint n = type_n_words (ct->type);

  for (guint i = 0; i < n; i++)
    canon[i] = (v >> (16 * (n - 1 - i))) & 0xffff;
  /* The order mappings are involutions, so the same function encodes. */
  words_to_canonical (ct->order, canon, words, n);
}

double
dc_modbus_decode_raw (const DcModbusCodeType *code_type,
                      const guint16          *words)
{
  guint64 v;

  g_return_val_if_fail (code_type != NULL, NAN);

  switch (code_type->type)
    {
    case DC_MODBUS_TYPE_BOOL:
      return words[0] ? 1.0 : 0.0;
    case DC_MODBUS_TYPE_BIT:
      return (words[0] >> code_type->bit) & 1;
    case DC_MODBUS_TYPE_U16:
      return words[0];
    case DC_MODBUS_TYPE_I16:
      return (gint16) words[0];
    default:
      break;
    }

  v = words_to_u64 (code_type, words);
  switch (code_type->type)
    {
    case DC_MODBUS_TYPE_U32:
      return (guint32) v;
    case DC_MODBUS_TYPE_I32:
      return (gint32) (guint32) v;
    case DC_MODBUS_TYPE_F32:
      {
        guint32 u = v;
        float f;

        memcpy (&f, &u, sizeof f);
        return f;
      }
    case DC_MODBUS_TYPE_U64:
      return (double) v;
    case DC_MODBUS_TYPE_I64:
      return (double) (gint64) v;
    case DC_MODBUS_TYPE_F64:
      {
        double d;

        memcpy (&d, &v, sizeof d);
        return d;
      }
    case DC_MODBUS_TYPE_BOOL:
    case DC_MODBUS_TYPE_BIT:
    case DC_MODBUS_TYPE_U16:
    case DC_MODBUS_TYPE_I16:
    default:
      g_assert_not_reached ();
    }
  return NAN;
}

void
dc_modbus_encode_raw (const DcModbusCodeType *code_type,
                      double                  raw,
                      guint16                *words)
{
  guint64 v = 0;

  g_return_if_fail (code_type != NULL);

  switch (code_type->type)
    {
    case DC_MODBUS_TYPE_BOOL:
      words[0] = raw != 0;
      return;
    case DC_MODBUS_TYPE_BIT:
      if (raw != 0)
        words[0] |= 1u << code_type->bit;
      else
        words[0] &= ~(1u << code_type->bit);
      return;
    case DC_MODBUS_TYPE_U16:
      words[0] = (guint16) raw;
      return;
    case DC_MODBUS_TYPE_I16:
      words[0] = (guint16) (gint16) raw;
      return;
    case DC_MODBUS_TYPE_U32:
      v = (guint32) raw;
      break;
    case DC_MODBUS_TYPE_I32:
      v = (guint32) (gint32) raw;
      break;
    case DC_MODBUS_TYPE_F32:
      {
        float f = raw;
        guint32 u;

        memcpy (&u, &f, sizeof u);
        v = u;
      }
      break;
    case DC_MODBUS_TYPE_U64:
      v = raw >= 18446744073709551615.0 ? G_MAXUINT64 : (guint64) raw;
      break;
    case DC_MODBUS_TYPE_I64:
      v = (guint64) (raw >= 9223372036854775807.0 ? G_MAXINT64 : (gint64) raw);
      break;
    case DC_MODBUS_TYPE_F64:
      memcpy (&v, &raw, sizeof v);
      break;
    default:
      g_assert_not_reached ();
    }
  u64_to_words (code_type, v, words);
}

static void
type_range (const DcModbusCodeType *ct,
            double                 *lo,
            double                 *hi)
{
  switch (ct->type)
    {
    case DC_MODBUS_TYPE_BOOL:
    case DC_MODBUS_TYPE_BIT: *lo = 0; *hi = 1; break;
    case DC_MODBUS_TYPE_U16: *lo = 0; *hi = G_MAXUINT16; break;
    case DC_MODBUS_TYPE_I16: *lo = G_MININT16; *hi = G_MAXINT16; break;
    case DC_MODBUS_TYPE_U32: *lo = 0; *hi = G_MAXUINT32; break;
    case DC_MODBUS_TYPE_I32: *lo = G_MININT32; *hi = G_MAXINT32; break;
    case DC_MODBUS_TYPE_F32: *lo = -FLT_MAX; *hi = FLT_MAX; break;
    /* The doubles nearest to the 64-bit limits that still fit. */
    case DC_MODBUS_TYPE_U64: *lo = 0; *hi = 18446744073709549568.0; break;
    case DC_MODBUS_TYPE_I64: *lo = -9223372036854775808.0; *hi = 9223372036854774784.0; break;
    case DC_MODBUS_TYPE_F64:
    default:
      *lo = -DBL_MAX; *hi = DBL_MAX; break;
    }
}

static char *
format_number (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.15g", v));
}

gboolean
dc_modbus_inverse_scale (const DcModbusCodeType  *code_type,
                         double                   value,
                         double                   coefficient,
                         double                   base_val,
                         double                  *raw,
                         GError                 **error)
{
  g_autofree char *ct_text = NULL;
  double r, lo, hi;

  g_return_val_if_fail (code_type != NULL, FALSE);

  if (!dc_modbus_table_is_writable (code_type->table))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "point is read-only");
      return FALSE;
    }

  ct_text = dc_modbus_code_type_to_string (code_type);
  type_range (code_type, &lo, &hi);

  if (coefficient == 0 || !isfinite (coefficient) || !isfinite (base_val))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "point has coefficient 0 and cannot be written");
      return FALSE;
    }

  r = (value - base_val) / coefficient;
  if (code_type->type == DC_MODBUS_TYPE_BOOL || code_type->type == DC_MODBUS_TYPE_BIT)
    {
      /* Binary points take exactly 0 or 1 (before scaling), nothing in between. */
      if (fabs (r - round (r)) > 1e-9)
        r = NAN;
    }
  if (code_type->type != DC_MODBUS_TYPE_F32 && code_type->type != DC_MODBUS_TYPE_F64)
    r = round (r);

  if (!isfinite (value) || !isfinite (r) || r < lo || r > hi)
    {
      g_autofree char *v_text = format_number (value);
      g_autofree char *lo_text = format_number (lo * coefficient + base_val);
      g_autofree char *hi_text = format_number (hi * coefficient + base_val);

      if (coefficient < 0)
        {
          char *tmp = lo_text;

          lo_text = hi_text;
          hi_text = tmp;
        }
      if (code_type->type == DC_MODBUS_TYPE_BOOL || code_type->type == DC_MODBUS_TYPE_BIT)
        g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                     "value %s is out of range for %s (%s or %s)", v_text, ct_text,
                     lo_text, hi_text);
      else
        g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                     "value %s is out of range for %s (%s to %s)", v_text, ct_text,
                     lo_text, hi_text);
      return FALSE;
    }

  *raw = r;
  return TRUE;
}

/* Planning */

static int
plan_item_compare (gconstpointer a,
                   gconstpointer b)
{
  const DcModbusPlanItem *x = a;
  const DcModbusPlanItem *y = b;

  if (x->unit != y->unit)
    return x->unit < y->unit ? -1 : 1;
  if (x->code_type.table != y->code_type.table)
    return x->code_type.table < y->code_type.table ? -1 : 1;
  if (x->address != y->address)
    return x->address < y->address ? -1 : 1;
  return x->index < y->index ? -1 : (x->index > y->index);
}

DcModbusPlan *
dc_modbus_plan_new (GArray *items,
                    guint   max_registers,
                    guint   max_bits,
                    guint   max_gap_registers)
{
  DcModbusPlan *plan = g_new0 (DcModbusPlan, 1);
  DcModbusRequest *cur = NULL;
  guint cur_end = 0; /* one past the last register/bit covered */

  g_return_val_if_fail (items != NULL, NULL);

  plan->requests = g_array_new (FALSE, TRUE, sizeof (DcModbusRequest));
  plan->items = g_array_sized_new (FALSE, TRUE, sizeof (DcModbusPlanItem), items->len);
  g_array_append_vals (plan->items, items->data, items->len);
  g_array_sort (plan->items, plan_item_compare);

  for (guint i = 0; i < plan->items->len; i++)
    {
      const DcModbusPlanItem *it = &g_array_index (plan->items, DcModbusPlanItem, i);
      gboolean bits = dc_modbus_table_is_bits (it->code_type.table);
      guint max = bits ? max_bits : max_registers;
      guint gap = bits ? max_gap_registers * 16 : max_gap_registers;
      guint start = it->address;
      guint end = start + dc_modbus_code_type_width (&it->code_type);

      if (end > 65536)
        end = 65536;

      if (cur != NULL &&
          cur->unit == it->unit &&
          cur->table == it->code_type.table &&
          start <= cur_end + gap &&
          MAX (end, cur_end) - cur->address <= max)
        {
          cur_end = MAX (end, cur_end);
          cur->count = cur_end - cur->address;
          cur->n_items++;
          continue;
        }

      g_array_set_size (plan->requests, plan->requests->len + 1);
      cur = &g_array_index (plan->requests, DcModbusRequest, plan->requests->len - 1);
      cur->unit = it->unit;
      cur->table = it->code_type.table;
      cur->address = start;
      cur->count = end - start;
      cur->first_item = i;
      cur->n_items = 1;
      cur_end = end;
    }

  return plan;
}

void
dc_modbus_plan_free (DcModbusPlan *plan)
{
  if (plan == NULL)
    return;
  g_array_unref (plan->requests);
  g_array_unref (plan->items);
  g_free (plan);
}

