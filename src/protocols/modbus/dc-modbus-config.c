/* dc-modbus-config.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-modbus"

#include "config.h"

#include <math.h>

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-modbus-private.h"

const guint dc_modbus_bucket_ms[DC_MODBUS_N_BUCKETS - 1] = { 1, 2, 5, 10, 20, 50, 100, 200, 500 };

int
dc_modbus_term_unit (GPtrArray  *terms,
                     const char *term_id)
{
  for (guint i = 0; terms != NULL && i < terms->len; i++)
    {
      JsonObject *term = g_ptr_array_index (terms, i);

      if (g_strcmp0 (dc_json_get_string (term, "id", NULL), term_id) == 0)
        return dc_json_get_int (term, "address", 1);
    }
  return -1;
}

gboolean
dc_modbus_point_from_info (const DcPointInfo  *info,
                           GPtrArray          *terms,
                           gboolean            rtu,
                           DcModbusPoint      *point,
                           GError            **error)
{
  int unit = dc_modbus_term_unit (terms, info->term_id);

  if (unit < 0)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_NOT_FOUND, "term_id not found!");
      return FALSE;
    }
  if (unit > 255 || (rtu && (unit < 1 || unit > 247)))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   rtu ? "field address must be an integer between 1 and 247"
                       : "field address must be an integer between 0 and 255");
      return FALSE;
    }
  if (!dc_modbus_code_type_parse (info->code_type, &point->ct, error) ||
      !dc_modbus_address_parse (info->protocol_code, &point->address, error))
    return FALSE;
  if ((guint) point->address + dc_modbus_code_type_width (&point->ct) > 65536)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "field protocol_code must leave room for the type's registers");
      return FALSE;
    }
  point->key = info->key;
  point->term_id = g_strdup (info->term_id);
  point->unit = unit;
  point->coefficient = info->coefficient;
  point->base_val = info->base_val;
  return TRUE;
}

void
dc_modbus_point_clear (DcModbusPoint *point)
{
  g_clear_pointer (&point->term_id, g_free);
}

double
dc_modbus_point_decode (const DcModbusPoint *point,
                        const guint16       *words,
                        guint32             *quality)
{
  double v = dc_modbus_decode_raw (&point->ct, words) * point->coefficient + point->base_val;

  *quality = isfinite (v) ? DC_QUALITY_GOOD : DC_QUALITY_INVALID;
  return v;
}

gsize
dc_modbus_point_read_pdu (const DcModbusPoint *point,
                          guint8              *pdu)
{
  return dc_modbus_pdu_read (pdu, dc_modbus_table_read_function (point->ct.table), point->address,
                             dc_modbus_code_type_width (&point->ct));
}

gsize
dc_modbus_ctrl_write_pdu (const DcModbusPoint *point,
                          double               raw,
                          gboolean             mask,
                          guint16              current,
                          guint8              *pdu)
{
  guint16 words[4] = { current, 0, 0, 0 };
  guint n = dc_modbus_code_type_width (&point->ct);

  if (point->ct.table == DC_MODBUS_TABLE_CO)
    return dc_modbus_pdu_write_coil (pdu, point->address, raw != 0);
  if (point->ct.type == DC_MODBUS_TYPE_BIT && mask)
    {
      guint16 bit = 1u << point->ct.bit;

      return dc_modbus_pdu_mask_write (pdu, point->address, ~bit & 0xffff, raw != 0 ? bit : 0);
    }
  dc_modbus_encode_raw (&point->ct, raw, words);
  if (n == 1)
    return dc_modbus_pdu_write_register (pdu, point->address, words[0]);
  return dc_modbus_pdu_write_registers (pdu, point->address, words, n);
}

DcModbusConfig *
dc_modbus_config_new (GPtrArray *terms,
                      GPtrArray *points,
                      gboolean   rtu)
{
  DcModbusConfig *config = g_new0 (DcModbusConfig, 1);
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (DcModbusPlanItem));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_atomic_ref_count_init (&config->ref);
  config->points = g_array_new (FALSE, TRUE, sizeof (DcModbusPoint));
  g_array_set_clear_func (config->points, (GDestroyNotify) dc_modbus_point_clear);
  config->units = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; points != NULL && i < points->len; i++)
    {
      const DcPointInfo *info = g_ptr_array_index (points, i);
      g_autoptr(GError) error = NULL;
      DcModbusPoint p = { 0 };
      DcModbusPlanItem item;

      if (!dc_modbus_point_from_info (info, terms, rtu, &p, &error))
        {
          /* The model validates points before they get here; a point that still does not
           * parse is left out of the plan (and counted) rather than failing the device. */
          g_debug ("point %" G_GINT64_FORMAT " left out: %s", info->key, error->message);
          config->n_invalid++;
          continue;
        }
      item.unit = p.unit;
      item.address = p.address;
      item.code_type = p.ct;
      item.index = config->points->len;
      g_array_append_val (items, item);
      if (!g_hash_table_contains (seen, p.term_id))
        {
          g_hash_table_add (seen, p.term_id);
          g_ptr_array_add (config->units, g_strdup (p.term_id));
        }
      g_array_append_val (config->points, p);
    }

  config->plan = dc_modbus_plan_new (items, DC_MODBUS_MAX_REGISTERS, DC_MODBUS_MAX_BITS,
                                     DC_MODBUS_GAP_REGISTERS);

  config->decode = g_array_sized_new (FALSE, TRUE, sizeof (DcModbusDecodeItem),
                                      config->plan->items->len);
  for (guint r = 0; r < config->plan->requests->len; r++)
    {
      const DcModbusRequest *req = &g_array_index (config->plan->requests, DcModbusRequest, r);

      for (guint i = 0; i < req->n_items; i++)
        {
          const DcModbusPlanItem *it = &g_array_index (config->plan->items, DcModbusPlanItem,
                                                       req->first_item + i);
          const DcModbusPoint *p = &g_array_index (config->points, DcModbusPoint, it->index);
          DcModbusDecodeItem d = { p->key, p->address - req->address, p->ct, p->coefficient,
                                   p->base_val };

          g_array_append_val (config->decode, d);
        }
    }
  return config;
}

DcModbusConfig *
dc_modbus_config_ref (DcModbusConfig *config)
{
  g_atomic_ref_count_inc (&config->ref);
  return config;
}

void
dc_modbus_config_unref (DcModbusConfig *config)
{
  if (config == NULL || !g_atomic_ref_count_dec (&config->ref))
    return;
  g_array_unref (config->points);
  g_array_unref (config->decode);
  dc_modbus_plan_free (config->plan);
  g_ptr_array_unref (config->units);
  g_free (config);
}

void
dc_modbus_config_decode (DcModbusConfig *config,
                         guint           index,
                         const guint16  *values,
                         gint64          now,
                         GArray         *batch)
{
  const DcModbusRequest *req = &g_array_index (config->plan->requests, DcModbusRequest, index);
  const DcModbusDecodeItem *d = &g_array_index (config->decode, DcModbusDecodeItem,
                                                req->first_item);
  guint base = batch->len;
  DcSample *out;

  g_array_set_size (batch, base + req->n_items);
  out = &g_array_index (batch, DcSample, base);
  for (guint i = 0; i < req->n_items; i++, d++, out++)
    {
      const guint16 *w = values + d->offset;
      double v;

      /* The common one-register types inline; the rest through the codec. */
      switch (d->ct.type)
        {
        case DC_MODBUS_TYPE_U16:
          v = w[0];
          break;
        case DC_MODBUS_TYPE_I16:
          v = (gint16) w[0];
          break;
        case DC_MODBUS_TYPE_BOOL:
          v = w[0] != 0;
          break;
        case DC_MODBUS_TYPE_U32:
        case DC_MODBUS_TYPE_I32:
        case DC_MODBUS_TYPE_F32:
        case DC_MODBUS_TYPE_U64:
        case DC_MODBUS_TYPE_I64:
        case DC_MODBUS_TYPE_F64:
        case DC_MODBUS_TYPE_BIT:
        default:
          v = dc_modbus_decode_raw (&d->ct, w);
          break;
        }
      v = v * d->coefficient + d->base_val;
      out->key = d->key;
      out->time = now;
      out->value = v;
      out->quality = isfinite (v) ? DC_QUALITY_GOOD : DC_QUALITY_INVALID;
    }
}

void
dc_modbus_config_mark (DcModbusConfig *config,
                       guint           index,
                       guint32         quality,
                       gint64          now,
                       GArray         *batch)
{
  const DcModbusRequest *req = &g_array_index (config->plan->requests, DcModbusRequest, index);

  for (guint i = 0; i < req->n_items; i++)
    {
      const DcModbusPlanItem *it = &g_array_index (config->plan->items, DcModbusPlanItem,
                                                   req->first_item + i);
      const DcModbusPoint *p = &g_array_index (config->points, DcModbusPoint, it->index);
      DcSample s = { p->key, now, NAN, quality };

      g_array_append_val (batch, s);
    }
}

void
dc_modbus_stats_add_response (DcModbusStats *stats,
                              gint64         elapsed_us)
{
  guint b = 0;

  while (b < DC_MODBUS_N_BUCKETS - 1 && elapsed_us > (gint64) dc_modbus_bucket_ms[b] * 1000)
    b++;
  stats->histogram[b]++;
  stats->responses++;
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
dc_modbus_stats_to_json (const DcModbusStats  *stats,
                         const DcModbusConfig *config,
                         JsonBuilder          *builder)
{
  add_int (builder, "plan_requests", config ? config->plan->requests->len : 0);
  add_int (builder, "invalid_points", config ? config->n_invalid : 0);
  add_int (builder, "requests", stats->requests);
  add_int (builder, "responses", stats->responses);
  add_int (builder, "exceptions", stats->exceptions);
  add_int (builder, "timeouts", stats->timeouts);
  add_int (builder, "polls", stats->polls);
  add_int (builder, "late_polls", stats->late_polls);
  add_int (builder, "congested_polls", stats->congested_polls);
  add_int (builder, "max_lateness_ms", stats->max_lateness_us / 1000);
  add_int (builder, "mean_lateness_us",
           stats->polls ? (gint64) (stats->sum_lateness_us / stats->polls) : 0);

  /* {"le_ms": [1, 2, …, null], "count": [..]}: the last bound is open (null). */
  json_builder_set_member_name (builder, "response_time_histogram");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "le_ms");
  json_builder_begin_array (builder);
  for (guint i = 0; i < DC_MODBUS_N_BUCKETS - 1; i++)
    json_builder_add_int_value (builder, dc_modbus_bucket_ms[i]);
  json_builder_add_null_value (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "count");
  json_builder_begin_array (builder);
  for (guint i = 0; i < DC_MODBUS_N_BUCKETS; i++)
    json_builder_add_int_value (builder, stats->histogram[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}
