/* dc-traffic-view-points.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The points a Modbus request or answer covers, in its row of the Traffic page
 * (docs/ui-traffic.md "Frame list"): "… count 100 — 12 points (Flow, Level, …)". The device's
 * point ranges are read once (and again after POINTS_MAX_AGE_US, a point edited meanwhile);
 * the text of each request plan (unit, table, first register, count) is made once and kept,
 * and each frame keeps the text it showed: a flood of frames costs one lookup per new frame
 * shown, not a pass over the points.
 */

#define G_LOG_DOMAIN "dc-traffic-view"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dc-protocol.h"
#include "dc-traffic-view-private.h"

#define POINTS_MAX_AGE_US (5 * G_USEC_PER_SEC)
#define MAX_NAMES 3

typedef struct
{
  gint64  first;
  gint64  last;
  char   *name;
} Range;

static void
range_clear (gpointer data)
{
  g_free (((Range *) data)->name);
}

static int
range_compare (gconstpointer a,
               gconstpointer b)
{
  const Range *ra = a;
  const Range *rb = b;

  if (ra->first != rb->first)
    return ra->first < rb->first ? -1 : 1;
  return ra->last < rb->last ? -1 : ra->last > rb->last;
}

void
_dc_traffic_view_clear_modbus_points (DcTrafficView *self)
{
  g_clear_pointer (&self->modbus_ranges, g_hash_table_unref);
  g_clear_pointer (&self->modbus_plans, g_hash_table_unref);
  /* The frames' texts are made again. */
  self->modbus_generation++;
}

/* "unit/table" (the space of dc_protocol_point_address()) → GArray of Range by first address. */
static void
build_ranges (DcTrafficView *self)
{
  g_autoptr(GHashTable) units = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  DcDeviceNode *device;
  const char *protocol;
  GListModel *points;
  GHashTableIter iter;
  gpointer ranges;

  self->modbus_ranges = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_array_unref);
  self->modbus_plans = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->modbus_built = g_get_monotonic_time ();
  if (self->plant == NULL || self->source == NULL || self->device_id == NULL ||
      (device = dc_plant_model_lookup_device (self->plant, self->device_id)) == NULL)
    return;
  protocol = dc_device_node_get_protocol (device);
  points = dc_device_node_get_points (device);
  for (guint i = 0; i < g_list_model_get_n_items (points); i++)
    {
      g_autoptr(DcPointRow) row = g_list_model_get_item (points, i);
      const char *term_id = dc_point_row_get_term_id (row);
      g_autoptr(JsonObject) point = dc_plant_source_get (self->source, DC_KIND_POINT,
                                                         dc_point_row_get_point_id (row));
      g_autofree char *space = NULL;
      gpointer unit;
      Range range;
      GArray *array;
      int bit;

      if (point == NULL)
        continue;
      if (!g_hash_table_lookup_extended (units, term_id, NULL, &unit))
        {
          g_autoptr(JsonObject) term = dc_plant_source_get (self->source, DC_KIND_TERM, term_id);

          unit = GINT_TO_POINTER (term != NULL
                                  ? (int) json_object_get_int_member_with_default (term, "address", 1)
                                  : 1);
          g_hash_table_insert (units, g_strdup (term_id), unit);
        }
      if (!dc_protocol_point_address (protocol, point, GPOINTER_TO_INT (unit), &space,
                                      &range.first, &range.last, &bit))
        continue;
      range.name = g_strdup (dc_point_row_get_name (row));
      array = g_hash_table_lookup (self->modbus_ranges, space);
      if (array == NULL)
        {
          array = g_array_new (FALSE, FALSE, sizeof (Range));
          g_array_set_clear_func (array, range_clear);
          g_hash_table_insert (self->modbus_ranges, g_steal_pointer (&space), array);
        }
      g_array_append_val (array, range);
    }
  g_hash_table_iter_init (&iter, self->modbus_ranges);
  while (g_hash_table_iter_next (&iter, NULL, &ranges))
    g_array_sort (ranges, range_compare);
}

/* The Modbus table a function reads or writes, as dc_modbus_table_to_string() names it. */
static const char *
function_table (gint64 function)
{
  switch (function)
    {
    case 1: case 5: case 15:
      return "co";
    case 2:
      return "di";
    case 4:
      return "ir";
    case 3: case 6: case 16: case 22: case 23:
      return "hr";
    default:
      return NULL;
    }
}

/* "12 points (Flow, Level, Pressure, …)", "1 point (Flow)", or NULL when none is there. */
static char *
plan_text (GArray *ranges,
           gint64  first,
           gint64  last)
{
  g_autoptr(GString) names = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; ranges != NULL && i < ranges->len; i++)
    {
      Range *r = &g_array_index (ranges, Range, i);

      if (r->first > last)
        break;
      if (r->last < first)
        continue;
      if (n < MAX_NAMES)
        g_string_append_printf (names, n > 0 ? ", %s" : "%s", r->name);
      else if (n == MAX_NAMES)
        g_string_append (names, ", …");
      n++;
    }
  if (n == 0)
    return NULL;
  /* Translators: the points a Modbus frame covers, "12 points (Flow, Level, …)" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u point (%s)", "%u points (%s)", n), n,
                          names->str);
}

/* The text of the plan of @item (borrowed from the cache), NULL for none. */
static const char *
lookup_plan (DcTrafficView *self,
             DcTrafficItem *item)
{
  JsonObject *d = item->decoded;
  gint64 function = json_object_get_int_member_with_default (d, "function", -1);
  const char *table = function_table (function);
  gint64 unit = json_object_get_int_member_with_default (d, "unit", -1);
  gint64 first = json_object_get_int_member_with_default (d, "address", item->request_address);
  gint64 count = json_object_get_int_member_with_default (d, "count", -1);
  char key[96];
  char space[48];
  char *text;

  if (table == NULL || unit < 0 || first < 0 || json_object_has_member (d, "exception"))
    return NULL;
  if (count < 0)
    {
      /* An answer to a read: as many registers (bits) as it has values. */
      JsonNode *values = json_object_get_member (d, "values");

      if (values == NULL || !JSON_NODE_HOLDS_ARRAY (values))
        return NULL;
      count = json_array_get_length (json_node_get_array (values));
    }
  if (count <= 0)
    return NULL;

  if (self->modbus_ranges == NULL ||
      g_get_monotonic_time () - self->modbus_built > POINTS_MAX_AGE_US)
    {
      _dc_traffic_view_clear_modbus_points (self);
      build_ranges (self);
    }
  g_snprintf (key, sizeof key, "%" G_GINT64_FORMAT "/%s/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
              unit, table, first, count);
  if (g_hash_table_lookup_extended (self->modbus_plans, key, NULL, (gpointer *) &text))
    return text;
  g_snprintf (space, sizeof space, "%" G_GINT64_FORMAT "/%s", unit, table);
  text = plan_text (g_hash_table_lookup (self->modbus_ranges, space), first, first + count - 1);
  g_hash_table_insert (self->modbus_plans, g_strdup (key), text);
  return text;
}

const char *
_dc_traffic_view_row_text (DcTrafficView *self,
                           DcTrafficItem *item)
{
  const char *points;
  const char *colon;

  if (item->decoded == NULL || !json_object_has_member (item->decoded, "function"))
    return item->summary;
  if (item->shown_text != NULL && item->shown_generation == self->modbus_generation)
    return item->shown_text;

  points = lookup_plan (self, item);
  g_clear_pointer (&item->shown_text, g_free);
  item->shown_generation = self->modbus_generation;
  if (points == NULL)
    return item->summary;
  /* Before an answer's values, after a request's range. */
  colon = strstr (item->summary, ": ");
  if (colon != NULL)
    item->shown_text = g_strdup_printf ("%.*s — %s%s", (int) (colon - item->summary),
                                        item->summary, points, colon);
  else
    item->shown_text = g_strdup_printf ("%s — %s", item->summary, points);
  return item->shown_text;
}
