/* dc-traffic-view-detail.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Traffic page's detail of the selected frame (docs/ui-traffic.md "Frame detail"): a
 * header line, the table of its objects (IEC 104 information objects named after the
 * configured points, Modbus registers and coils) and its bytes annotated field by field; and
 * the line of the device's link counters above the list.
 */

#define G_LOG_DOMAIN "dc-traffic-view"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-traffic-view-private.h"

/* The point names are read again after this long (a point edited meanwhile). */
#define POINTS_MAX_AGE_US (5 * G_USEC_PER_SEC)

typedef struct
{
  char       *name;
  JsonObject *states;
} PointName;

static void
point_name_free (gpointer data)
{
  PointName *p = data;

  g_free (p->name);
  g_clear_pointer (&p->states, json_object_unref);
  g_free (p);
}

static gint64
point_key (gint64 station,
           gint64 address)
{
  return (station << 24) | (address & 0xffffff);
}

void
_dc_traffic_view_clear_points (DcTrafficView *self)
{
  g_clear_pointer (&self->points, g_hash_table_unref);
  _dc_traffic_view_clear_modbus_points (self);
}

/* The device's points by (common address, IOA), from the plant connection's configuration. */
static void
build_points (DcTrafficView *self)
{
  g_autoptr(GHashTable) stations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  DcDeviceNode *device;
  GListModel *points;

  self->points = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, point_name_free);
  self->points_built = g_get_monotonic_time ();
  if (self->plant == NULL || self->source == NULL || self->device_id == NULL ||
      (device = dc_plant_model_lookup_device (self->plant, self->device_id)) == NULL)
    return;
  points = dc_device_node_get_points (device);
  for (guint i = 0; i < g_list_model_get_n_items (points); i++)
    {
      g_autoptr(DcPointRow) row = g_list_model_get_item (points, i);
      const char *term_id = dc_point_row_get_term_id (row);
      g_autoptr(JsonObject) point = dc_plant_source_get (self->source, DC_KIND_POINT,
                                                         dc_point_row_get_point_id (row));
      gpointer station;
      JsonNode *states;
      PointName *name;
      gint64 *key;

      if (point == NULL || !json_object_has_member (point, "protocol_code"))
        continue;
      if (!g_hash_table_lookup_extended (stations, term_id, NULL, &station))
        {
          g_autoptr(JsonObject) term = dc_plant_source_get (self->source, DC_KIND_TERM, term_id);

          station = GINT_TO_POINTER (term ? (int) json_object_get_int_member_with_default (term, "address", 0) : 0);
          g_hash_table_insert (stations, g_strdup (term_id), station);
        }
      key = g_new (gint64, 1);
      *key = point_key (GPOINTER_TO_INT (station),
                        json_object_get_int_member_with_default (point, "protocol_code", -1));
      name = g_new0 (PointName, 1);
      name->name = g_strdup (dc_point_row_get_name (row));
      states = json_object_get_member (point, "states");
      if (states != NULL && JSON_NODE_HOLDS_OBJECT (states))
        name->states = json_object_ref (json_node_get_object (states));
      g_hash_table_replace (self->points, key, name);
    }
}

static gboolean
lookup_point_cb (gint64        station,
                 gint64        address,
                 const char  **name,
                 JsonObject  **states,
                 gpointer      user_data)
{
  DcTrafficView *self = user_data;
  gint64 key = point_key (station, address);
  PointName *p;

  if (self->points == NULL || g_get_monotonic_time () - self->points_built > POINTS_MAX_AGE_US)
    {
      _dc_traffic_view_clear_points (self);
      build_points (self);
    }
  p = g_hash_table_lookup (self->points, &key);
  if (p == NULL)
    return FALSE;
  *name = p->name;
  *states = p->states;
  return TRUE;
}

static char *
header_text (DcTrafficView *self,
             DcTrafficItem *item)
{
  g_autoptr(GDateTime) dt = dc_traffic_local_time_new (item->time);
  g_autofree char *time = dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
  g_autofree char *escaped = g_markup_escape_text (_dc_traffic_view_row_text (self, item), -1);
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "<b>%s.%03d</b>  %s  %s", time,
                          dt ? g_date_time_get_microsecond (dt) / 1000 : 0,
                          item->incoming ? _("received") : _("sent"), escaped);
  if (item->status == DC_TRAFFIC_TIMEOUT)
    g_string_append_printf (out, "\n%s", _("No answer before the next request (timeout)."));
  if (item->decode_error != NULL)
    {
      g_autofree char *error = g_markup_escape_text (item->decode_error, -1);

      g_string_append_c (out, '\n');
      g_string_append_printf (out, _("Decode error: %s"), error);
    }
  return g_string_free (out, FALSE);
}

void
_dc_traffic_view_update_detail (DcTrafficView *self)
{
  DcTrafficItem *item = dc_traffic_ring_peek (self->shown,
                                               gtk_single_selection_get_selected (self->selection));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->detail_view);
  g_autoptr(GListModel) objects = NULL;
  g_autofree char *header = NULL;
  g_autofree char *notes = NULL;

  /* Following, the selection moves with its frame: the same frame needs nothing new. */
  if (item != NULL && item == self->detail_item)
    return;
  g_set_object (&self->detail_item, item);
  if (item == NULL)
    {
      gtk_label_set_markup (self->detail_header, _("Select a frame to see its objects and bytes."));
      g_list_store_remove_all (self->objects);
      gtk_widget_set_visible (self->objects_scroller, FALSE);
      gtk_text_buffer_set_text (buffer, "", -1);
      return;
    }
  header = header_text (self, item);
  gtk_label_set_markup (self->detail_header, header);
  objects = dc_traffic_item_build_objects (item, lookup_point_cb, self);
  {
    guint n = g_list_model_get_n_items (objects);
    g_autofree gpointer *array = g_new (gpointer, MAX (n, 1));

    for (guint i = 0; i < n; i++)
      array[i] = g_list_model_get_item (objects, i);
    g_list_store_splice (self->objects, 0, g_list_model_get_n_items (G_LIST_MODEL (self->objects)),
                         array, n);
    for (guint i = 0; i < n; i++)
      g_object_unref (array[i]);
    gtk_widget_set_visible (self->objects_scroller, n > 0);
  }
  notes = dc_traffic_item_dup_notes (item);
  gtk_text_buffer_set_text (buffer, notes, -1);
}

/* The link line ------------------------------------------------------------------------------ */

static const char *
state_text (const char *state)
{
  if (g_strcmp0 (state, "up") == 0)
    /* Translators: a device's link state on the Traffic page */
    return C_("link", "Link up");
  if (g_strcmp0 (state, "down") == 0)
    return C_("link", "Link down");
  if (g_strcmp0 (state, "connecting") == 0)
    return C_("link", "Connecting");
  if (g_strcmp0 (state, "disabled") == 0)
    return C_("link", "Disabled");
  return C_("link", "Link state unknown");
}

void
_dc_traffic_view_update_link (DcTrafficView *self)
{
  g_autoptr(JsonObject) link = self->feed ? dc_traffic_feed_dup_link (self->feed) : NULL;
  g_autofree char *bytes_in = NULL;
  g_autofree char *bytes_out = NULL;
  g_autofree char *text = NULL;

  if (link == NULL)
    {
      gtk_label_set_label (self->link_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->link_label), FALSE);
      return;
    }
  bytes_in = g_format_size (json_object_get_int_member_with_default (link, "bytes_in", 0));
  bytes_out = g_format_size (json_object_get_int_member_with_default (link, "bytes_out", 0));
  /* Translators: the link line of the Traffic page: state, frames in and out, bytes in and
   * out, reconnections */
  text = g_strdup_printf (_("%s · frames in %" G_GINT64_FORMAT ", out %" G_GINT64_FORMAT
                            " · %s in, %s out · reconnects %" G_GINT64_FORMAT),
                          state_text (json_object_get_string_member_with_default (link, "state", NULL)),
                          json_object_get_int_member_with_default (link, "frames_in", 0),
                          json_object_get_int_member_with_default (link, "frames_out", 0),
                          bytes_in, bytes_out,
                          json_object_get_int_member_with_default (link, "reconnects", 0));
  gtk_label_set_label (self->link_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->link_label), TRUE);
}

void
_dc_traffic_view_init_detail (DcTrafficView *self)
{
  GtkNoSelection *selection;

  self->objects = g_list_store_new (DC_TYPE_TRAFFIC_OBJECT);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->objects)));
  gtk_column_view_set_model (self->objects_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  _dc_traffic_view_add_object_columns (self);
}
