/* dc-traffic-view.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-traffic-view"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dc-protocol.h"
#include "dc-traffic-view-private.h"
#include "dc-ui.h"

/* How often the feed is read (coalesced updates: one list change per tick at most). */
#define TICK_MS        100
/* The most frames taken per tick (500 frames/s at 10 Hz, more than anyone reads): a flood
 * shows its newest frames and the skipped ones are counted, so each tick's work stays bounded
 * however fast the device sends. Joining a device takes at most JOIN_LIMIT of what the feed
 * holds, for the same reason. */
#define FETCH_LIMIT    50
#define JOIN_LIMIT     200
#define DEFAULT_MAX    5000
/* The link line is read once a second. */
#define LINK_MS        1000

G_DEFINE_FINAL_TYPE (DcTrafficView, dc_traffic_view, GTK_TYPE_WIDGET)

static void
update_count (DcTrafficView *self)
{
  g_autofree char *text = NULL;
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->shown));
  guint all = g_list_model_get_n_items (G_LIST_MODEL (self->all));

  if (shown == all)
    /* Translators: number of traffic frames in the list */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u frame", "%u frames", all), all);
  else
    /* Translators: frames shown by the filter / all frames */
    text = g_strdup_printf (_("%u of %u frames"), shown, all);
  if (self->missed > 0)
    {
      /* Translators: frames a flood brought faster than the monitor shows them */
      g_autofree char *skipped = g_strdup_printf (_("%s, %lu skipped"), text,
                                                  (unsigned long) self->missed);

      gtk_label_set_label (self->count_label, skipped);
      return;
    }
  gtk_label_set_label (self->count_label, text);
}

static gboolean
matches (DcTrafficView *self,
         DcTrafficItem *frame)
{
  if (self->direction == 1 && frame->incoming)
    return FALSE;
  if (self->direction == 2 && !frame->incoming)
    return FALSE;
  if (self->problems_only && frame->status == DC_TRAFFIC_OK)
    return FALSE;
  if (self->type_filter != NULL && g_strcmp0 (frame->kind, self->type_filter) != 0)
    return FALSE;
  if (self->filter_text != NULL && self->filter_text[0] != '\0')
    {
      g_autofree char *folded = g_utf8_casefold (frame->summary, -1);

      if (strstr (folded, self->filter_text) == NULL)
        return FALSE;
    }
  return TRUE;
}

static void
refilter (DcTrafficView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->all));
  g_autoptr(GPtrArray) shown = g_ptr_array_sized_new (n);

  /* Oldest first. */
  for (guint i = n; i > 0; i--)
    {
      DcTrafficItem *item = dc_traffic_ring_peek (self->all, i - 1);

      if (matches (self, item))
        g_ptr_array_add (shown, item);
    }
  dc_traffic_ring_replace (self->shown, (DcTrafficItem **) shown->pdata, shown->len);
  update_count (self);
}

static void
note_type (DcTrafficView *self,
           const char    *kind)
{
  if (g_hash_table_contains (self->seen_types, kind))
    return;
  g_hash_table_add (self->seen_types, g_strdup (kind));
  gtk_string_list_append (self->types, kind);
}

static gboolean
at_top (DcTrafficView *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);

  return gtk_adjustment_get_value (adj) <= 4;
}

static gboolean
expire_pending (DcTrafficView *self,
                gint64         now)
{
  GHashTableIter iter;
  gpointer value;
  gboolean changed = FALSE;
  gint64 timeout = self->feed ? dc_traffic_feed_get_timeout (self->feed) : G_USEC_PER_SEC;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      DcTrafficItem *item = value;

      if (now - item->time > timeout + 200 * 1000)
        {
          dc_traffic_item_set_status (item, DC_TRAFFIC_TIMEOUT);
          g_hash_table_iter_remove (&iter);
          changed = TRUE;
        }
    }
  return changed;
}

/* The frames of a tick (oldest first) go in at the top of both rings; the oldest leave.
 * Following the newest frames (the list at its top), the shown ring rotates: the rows stay,
 * what they show moves down, and a selected frame's row moves with it. */
static void
append_frames (DcTrafficView *self,
               GPtrArray     *items)
{
  g_autoptr(GPtrArray) dropped = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) matching = g_ptr_array_sized_new (items->len);
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->shown));
  guint n_drop = 0;
  gboolean follow = at_top (self);

  dc_traffic_ring_push (self->all, (DcTrafficItem **) items->pdata, items->len, 0, FALSE, dropped);
  /* The shown frames are a subsequence of all: those that left all leave it from its end. */
  for (guint i = 0; i < dropped->len && n_drop < n_shown; i++)
    if (g_ptr_array_index (dropped, i) == dc_traffic_ring_peek (self->shown, n_shown - 1 - n_drop))
      n_drop++;
  for (guint i = 0; i < items->len; i++)
    if (matches (self, g_ptr_array_index (items, i)))
      g_ptr_array_add (matching, g_ptr_array_index (items, i));
  dc_traffic_ring_push (self->shown, (DcTrafficItem **) matching->pdata, matching->len, n_drop,
                        follow, NULL);
  update_count (self);
}

static void
rotated_cb (DcTrafficRing *ring,
            guint          shift,
            DcTrafficView *self)
{
  guint selected = gtk_single_selection_get_selected (self->selection);

  if (selected != GTK_INVALID_LIST_POSITION)
    {
      guint moved = selected + shift;

      gtk_single_selection_set_selected (self->selection,
                                         moved < g_list_model_get_n_items (G_LIST_MODEL (ring))
                                         ? moved : GTK_INVALID_LIST_POSITION);
    }
  _dc_traffic_view_refresh_rows (self);
}

/* Modbus: a request whose transaction gets no answer within the device's timeout is marked
 * (RTU has no transaction id: the answer is the next frame received); an answer learns the
 * address its request asked for. */
static void
pair_transaction (DcTrafficView *self,
                  DcTrafficItem *item)
{
  gint64 transaction = json_object_get_int_member_with_default (item->decoded, "transaction", -1);

  if (!item->incoming)
    g_hash_table_replace (self->pending, GINT_TO_POINTER ((int) transaction), g_object_ref (item));
  else
    {
      DcTrafficItem *request = g_hash_table_lookup (self->pending, GINT_TO_POINTER ((int) transaction));

      if (request != NULL && request->decoded != NULL &&
          json_object_get_int_member_with_default (request->decoded, "function", -1) ==
          json_object_get_int_member_with_default (item->decoded, "function", -2))
        dc_traffic_item_set_request_address (item,
                                             json_object_get_int_member_with_default (request->decoded,
                                                                                      "address", -1));
      g_hash_table_remove (self->pending, GINT_TO_POINTER ((int) transaction));
    }
}

void
dc_traffic_view_update (DcTrafficView *self)
{
  g_autoptr(GPtrArray) items = NULL;
  const DcProtocol *protocol;

  g_return_if_fail (DC_IS_TRAFFIC_VIEW (self));

  if (self->feed == NULL || gtk_toggle_button_get_active (self->pause_button))
    return;

  /* Joining a device shows the newest of what its feed holds; after that each tick takes at
   * most FETCH_LIMIT of the newest. */
  items = dc_traffic_feed_take (self->feed, self->joined ? FETCH_LIMIT : MIN (JOIN_LIMIT, self->max_frames),
                                &self->missed);
  self->joined = TRUE;
  if (items == NULL || items->len == 0)
    return;

  protocol = dc_protocol_lookup (dc_traffic_feed_get_protocol (self->feed));
  for (guint i = 0; i < items->len; i++)
    {
      DcTrafficItem *item = g_ptr_array_index (items, i);

      if (protocol != NULL && protocol->traffic_transactions && item->decoded != NULL)
        pair_transaction (self, item);
      note_type (self, item->kind);
    }
  /* Frame time, not the wall clock: a busy main loop must not turn late reads into timeouts. */
  if (expire_pending (self, ((DcTrafficItem *) g_ptr_array_index (items, items->len - 1))->time))
    _dc_traffic_view_refresh_rows (self);
  append_frames (self, items);
}

static gboolean
tick_cb (gpointer user_data)
{
  dc_traffic_view_update (DC_TRAFFIC_VIEW (user_data));
  return G_SOURCE_CONTINUE;
}

static gboolean
link_cb (gpointer user_data)
{
  _dc_traffic_view_update_link (DC_TRAFFIC_VIEW (user_data));
  return G_SOURCE_CONTINUE;
}

/* The feed is read only while the page shows: a hidden monitor costs nothing under a flood
 * (a local ring keeps the newest frames meanwhile; a server stops sending them). */
static void
update_timer (DcTrafficView *self)
{
  gboolean want = ((self->source != NULL && self->device_id != NULL) || self->feed_given) &&
                  gtk_widget_get_mapped (GTK_WIDGET (self));

  if (want && self->feed == NULL && self->source != NULL)
    {
      self->feed = dc_plant_source_open_traffic (self->source, self->device_id);
      self->joined = FALSE;
    }
  if (self->feed != NULL)
    dc_traffic_feed_set_active (self->feed, want);
  if (want && self->tick_id == 0)
    {
      self->tick_id = g_timeout_add (TICK_MS, tick_cb, self);
      self->link_id = g_timeout_add (LINK_MS, link_cb, self);
      dc_traffic_view_update (self);
      _dc_traffic_view_update_link (self);
    }
  else if (!want)
    {
      g_clear_handle_id (&self->tick_id, g_source_remove);
      g_clear_handle_id (&self->link_id, g_source_remove);
    }
}

static void
dc_traffic_view_map (GtkWidget *widget)
{
  DcTrafficView *self = DC_TRAFFIC_VIEW (widget);

  GTK_WIDGET_CLASS (dc_traffic_view_parent_class)->map (widget);
  update_timer (self);
}

static void
dc_traffic_view_unmap (GtkWidget *widget)
{
  DcTrafficView *self = DC_TRAFFIC_VIEW (widget);

  GTK_WIDGET_CLASS (dc_traffic_view_parent_class)->unmap (widget);
  update_timer (self);
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  dc_traffic_view_clear (DC_TRAFFIC_VIEW (widget));
}

/* Filters ------------------------------------------------------------------------------------ */

static void
filter_entry_changed_cb (DcTrafficView *self)
{
  g_free (self->filter_text);
  self->filter_text = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->filter_entry)), -1);
  refilter (self);
}

static void
dropdowns_changed_cb (DcTrafficView *self)
{
  guint type = gtk_drop_down_get_selected (self->type_dropdown);

  self->direction = (int) gtk_drop_down_get_selected (self->direction_dropdown);
  if (self->direction < 0 || self->direction > 2)
    self->direction = 0;
  self->problems_only = gtk_toggle_button_get_active (self->problems_button);
  g_clear_pointer (&self->type_filter, g_free);
  if (type != GTK_INVALID_LIST_POSITION && type > 0)
    self->type_filter = g_strdup (gtk_string_list_get_string (self->types, type));
  refilter (self);
}

static void
pause_toggled_cb (DcTrafficView *self)
{
  gboolean paused = gtk_toggle_button_get_active (self->pause_button);

  gtk_button_set_icon_name (GTK_BUTTON (self->pause_button),
                            paused ? "media-playback-start-symbolic" : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button),
                               paused ? _("Resume") : _("Pause (new frames are not shown)"));
  /* Resuming skips what came during the pause only if the ring dropped it meanwhile. */
}

/* GObject ------------------------------------------------------------------------------------ */

static void
dc_traffic_view_dispose (GObject *object)
{
  DcTrafficView *self = DC_TRAFFIC_VIEW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->link_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), DC_TYPE_TRAFFIC_VIEW);
  g_hash_table_remove_all (self->pending);
  g_clear_object (&self->selection);
  g_clear_object (&self->detail_item);
  g_clear_object (&self->shown);
  g_clear_object (&self->all);
  g_clear_pointer (&self->bound, g_hash_table_unref);
  g_clear_object (&self->objects);
  g_clear_object (&self->feed);
  g_clear_object (&self->source);
  g_clear_object (&self->plant);
  _dc_traffic_view_clear_points (self);

  G_OBJECT_CLASS (dc_traffic_view_parent_class)->dispose (object);
}

static void
dc_traffic_view_finalize (GObject *object)
{
  DcTrafficView *self = DC_TRAFFIC_VIEW (object);

  g_free (self->device_id);
  g_free (self->filter_text);
  g_free (self->type_filter);
  g_hash_table_unref (self->seen_types);
  g_hash_table_unref (self->pending);

  G_OBJECT_CLASS (dc_traffic_view_parent_class)->finalize (object);
}

static void
dc_traffic_view_class_init (DcTrafficViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  dc_ui_ensure_resources ();

  object_class->dispose = dc_traffic_view_dispose;
  object_class->finalize = dc_traffic_view_finalize;
  widget_class->map = dc_traffic_view_map;
  widget_class->unmap = dc_traffic_view_unmap;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "trafficview");
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/datacoll/DataColl/ui/dc-traffic-view.ui");
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, box);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, pause_button);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, filter_entry);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, type_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, direction_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, problems_button);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, count_label);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, link_label);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, scroller);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, column_view);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, detail_header);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, objects_scroller);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, detail_paned);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, detail_scroller);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, objects_view);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, detail_view);

  gtk_widget_class_install_action (widget_class, "traffic.clear", NULL, clear_action);
  _dc_traffic_view_class_init_export (widget_class);
}

static void
dc_traffic_view_init (DcTrafficView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->max_frames = DEFAULT_MAX;
  self->seen_types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->types = gtk_string_list_new (NULL);
  gtk_string_list_append (self->types, _("All types"));
  gtk_drop_down_set_model (self->type_dropdown, G_LIST_MODEL (self->types));
  g_object_unref (self->types);  /* the dropdown keeps it */

  self->all = dc_traffic_ring_new (DEFAULT_MAX);
  self->shown = dc_traffic_ring_new (DEFAULT_MAX);
  g_signal_connect_object (self->shown, "rotated", G_CALLBACK (rotated_cb), self, 0);
  /* The list shows the shown ring's rows (dc-traffic-item-ring.h): the cells read the frame
   * at their row's position. */
  self->selection = gtk_single_selection_new (g_object_ref (dc_traffic_ring_get_rows (self->shown)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  _dc_traffic_view_add_columns (self);
  _dc_traffic_view_init_detail (self);

  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (_dc_traffic_view_update_detail), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_entry, "search-changed",
                           G_CALLBACK (filter_entry_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->type_dropdown, "notify::selected",
                           G_CALLBACK (dropdowns_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->direction_dropdown, "notify::selected",
                           G_CALLBACK (dropdowns_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->problems_button, "toggled",
                           G_CALLBACK (dropdowns_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->pause_button, "toggled",
                           G_CALLBACK (pause_toggled_cb), self, G_CONNECT_SWAPPED);
  _dc_traffic_view_update_detail (self);
  update_count (self);
}

GtkWidget *
dc_traffic_view_new (void)
{
  return g_object_new (DC_TYPE_TRAFFIC_VIEW, NULL);
}

void
dc_traffic_view_set_source (DcTrafficView *self,
                            DcPlantSource *source,
                            DcPlantModel  *plant,
                            const char    *device_id)
{
  g_autoptr(JsonObject) device = NULL;
  const DcProtocol *protocol = NULL;

  g_return_if_fail (DC_IS_TRAFFIC_VIEW (self));
  g_return_if_fail (source == NULL || DC_IS_PLANT_SOURCE (source));
  g_return_if_fail (plant == NULL || DC_IS_PLANT_MODEL (plant));

  g_set_object (&self->plant, plant);
  if (self->source == source && g_strcmp0 (self->device_id, device_id) == 0 && !self->feed_given)
    return;
  self->feed_given = FALSE;
  g_set_object (&self->source, source);
  g_free (self->device_id);
  self->device_id = g_strdup (device_id);
  g_clear_object (&self->feed);
  _dc_traffic_view_clear_points (self);
  if (source != NULL && device_id != NULL)
    device = dc_plant_source_get (source, DC_KIND_DEVICE, device_id);
  if (device != NULL)
    protocol = dc_protocol_lookup (json_object_get_string_member_with_default (device, "protocol", ""));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "traffic.export-pcap",
                                 protocol == NULL || !protocol->serial_line);
  /* Another device: its own frame types. */
  g_hash_table_remove_all (self->seen_types);
  gtk_drop_down_set_selected (self->type_dropdown, 0);
  gtk_string_list_splice (self->types, 1, g_list_model_get_n_items (G_LIST_MODEL (self->types)) - 1, NULL);
  dc_traffic_view_clear (self);
  _dc_traffic_view_update_link (self);

  update_timer (self);
}

void
dc_traffic_view_set_feed (DcTrafficView *self,
                          DcTrafficFeed *feed)
{
  g_return_if_fail (DC_IS_TRAFFIC_VIEW (self));
  g_return_if_fail (feed == NULL || DC_IS_TRAFFIC_FEED (feed));

  dc_traffic_view_set_source (self, NULL, NULL, NULL);
  g_set_object (&self->feed, feed);
  self->feed_given = feed != NULL;
  self->joined = FALSE;
  g_free (self->device_id);
  self->device_id = feed ? g_strdup (dc_traffic_feed_get_device_id (feed)) : NULL;
  update_timer (self);
}

const char *
dc_traffic_view_get_device_id (DcTrafficView *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), NULL);
  return self->device_id;
}

void
dc_traffic_view_set_max_frames (DcTrafficView *self,
                                guint          max_frames)
{
  g_return_if_fail (DC_IS_TRAFFIC_VIEW (self));
  self->max_frames = MAX (max_frames, 1);
  dc_traffic_ring_set_capacity (self->all, self->max_frames);
  dc_traffic_ring_set_capacity (self->shown, self->max_frames);
  update_count (self);
}

void
dc_traffic_view_set_paused (DcTrafficView *self,
                            gboolean       paused)
{
  g_return_if_fail (DC_IS_TRAFFIC_VIEW (self));
  gtk_toggle_button_set_active (self->pause_button, paused);
}

gboolean
dc_traffic_view_get_paused (DcTrafficView *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), FALSE);
  return gtk_toggle_button_get_active (self->pause_button);
}

void
dc_traffic_view_set_filter (DcTrafficView *self,
                            const char    *text,
                            int            direction,
                            gboolean       problems_only)
{
  g_return_if_fail (DC_IS_TRAFFIC_VIEW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->filter_entry), text ? text : "");
  filter_entry_changed_cb (self);
  gtk_drop_down_set_selected (self->direction_dropdown, (guint) CLAMP (direction, 0, 2));
  gtk_toggle_button_set_active (self->problems_button, problems_only);
  dropdowns_changed_cb (self);
}

gboolean
dc_traffic_view_set_type_filter (DcTrafficView *self,
                                 const char    *kind)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), FALSE);

  if (kind == NULL)
    {
      gtk_drop_down_set_selected (self->type_dropdown, 0);
      return TRUE;
    }
  for (guint i = 1; i < g_list_model_get_n_items (G_LIST_MODEL (self->types)); i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->types, i), kind) == 0)
      {
        gtk_drop_down_set_selected (self->type_dropdown, i);
        return TRUE;
      }
  return FALSE;
}

void
dc_traffic_view_clear (DcTrafficView *self)
{
  g_return_if_fail (DC_IS_TRAFFIC_VIEW (self));
  g_hash_table_remove_all (self->pending);
  dc_traffic_ring_replace (self->shown, NULL, 0);
  dc_traffic_ring_replace (self->all, NULL, 0);
  self->missed = 0;
  update_count (self);
}

GListModel *
dc_traffic_view_get_frames (DcTrafficView *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), NULL);
  return G_LIST_MODEL (self->all);
}

GListModel *
dc_traffic_view_get_shown (DcTrafficView *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), NULL);
  return G_LIST_MODEL (self->shown);
}

guint64
dc_traffic_view_get_missed (DcTrafficView *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), 0);
  return self->missed;
}

GListModel *
dc_traffic_view_get_objects (DcTrafficView *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), NULL);
  return G_LIST_MODEL (self->objects);
}

const char *
dc_traffic_view_get_link_text (DcTrafficView *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), NULL);
  return gtk_label_get_label (self->link_label);
}

void
dc_traffic_view_select (DcTrafficView *self,
                        guint          position)
{
  g_return_if_fail (DC_IS_TRAFFIC_VIEW (self));
  gtk_single_selection_set_selected (self->selection, position);
}

gboolean
dc_traffic_view_export_text (DcTrafficView *self,
                             GFile         *file,
                             GError       **error)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  return _dc_traffic_view_write_text (self, file, error);
}

gboolean
dc_traffic_view_export_pcap (DcTrafficView *self,
                             GFile         *file,
                             GError       **error)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  return _dc_traffic_view_write_pcap (self, file, error);
}

void
dc_traffic_view_set_narrow (DcTrafficView *self,
                            gboolean       narrow)
{
  g_return_if_fail (DC_IS_TRAFFIC_VIEW (self));

  /* The object table above the bytes instead of beside them, each as narrow as it likes. */
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->detail_paned),
                                  narrow ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
  gtk_widget_set_size_request (self->objects_scroller, narrow ? -1 : 360, narrow ? 120 : -1);
  gtk_widget_set_size_request (self->detail_scroller, narrow ? -1 : 230, narrow ? 80 : -1);
}
