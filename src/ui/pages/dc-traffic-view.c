/* dc-traffic-view.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-traffic-view"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dc-pcap.h"
#include "dc-protocol.h"
#include "dc-traffic-item-private.h"
#include "dc-traffic-view.h"
#include "dc-ui.h"

/* How often the ring is read (coalesced updates: one list change per tick at most). */
#define TICK_MS        100
/* The most frames read and decoded per tick (500 frames/s at 10 Hz, more than anyone reads):
 * a flood shows its newest frames and the skipped ones are counted, so each tick's work stays
 * bounded however fast the device sends. */
#define FETCH_LIMIT    50
#define DEFAULT_MAX    5000

struct _DcTrafficView
{
  GtkWidget           parent_instance;

  /* Template children */
  GtkWidget          *box;
  GtkToggleButton    *pause_button;
  GtkSearchEntry     *filter_entry;
  GtkDropDown        *type_dropdown;
  GtkDropDown        *direction_dropdown;
  GtkToggleButton    *problems_button;
  GtkLabel           *count_label;
  GtkScrolledWindow  *scroller;
  GtkColumnView      *column_view;
  GtkTextView        *detail_view;

  /* Owned */
  DcEngine           *engine;
  char               *device_id;
  DcDriver           *driver;         /* compared only (not referenced): a new driver restarts */
  char               *protocol;
  guint64             last_seq;
  guint64             missed;
  guint               max_frames;
  guint               tick_id;
  GListStore         *store;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  GtkSingleSelection *selection;
  GtkStringList      *types;
  GHashTable         *seen_types;
  GHashTable         *pending;        /* Modbus transaction id → request without answer */
  gint64              timeout_us;     /* the device's answer timeout */

  char               *filter_text;
  int                 direction;
  gboolean            problems_only;
  char               *type_filter;
  gboolean            follow;
};

G_DEFINE_FINAL_TYPE (DcTrafficView, dc_traffic_view, GTK_TYPE_WIDGET)

static void
update_count (DcTrafficView *self)
{
  g_autofree char *text = NULL;
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  guint all = g_list_model_get_n_items (G_LIST_MODEL (self->store));

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
filter_func (gpointer item,
             gpointer user_data)
{
  DcTrafficView *self = user_data;
  DcTrafficItem *frame = item;

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
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
}

static DcDriver *
current_driver (DcTrafficView *self)
{
  if (self->engine == NULL || self->device_id == NULL)
    return NULL;
  return dc_engine_drivers_get_driver (dc_engine_get_drivers (self->engine), self->device_id);
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
scroll_to_top_cb (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       user_data)
{
  DcTrafficView *self = DC_TRAFFIC_VIEW (widget);
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);

  gtk_adjustment_set_value (adj, 0);
  return G_SOURCE_REMOVE;
}

static gint64
frame_time_now (GPtrArray *frames)
{
  DcTrafficFrame *last = g_ptr_array_index (frames, frames->len - 1);

  /* Frame time, not the wall clock: a busy main loop must not turn late reads into timeouts. */
  return last->time;
}

static void
expire_pending (DcTrafficView *self,
                gint64         now)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      DcTrafficItem *item = value;

      if (now - item->time > self->timeout_us + 200 * 1000)
        {
          dc_traffic_item_set_status (item, DC_TRAFFIC_TIMEOUT);
          g_hash_table_iter_remove (&iter);
        }
    }
}

void
dc_traffic_view_update (DcTrafficView *self)
{
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GPtrArray) items = NULL;
  const DcProtocol *protocol;
  DcDriver *driver;
  guint n, excess, skip;
  gboolean follow;

  g_return_if_fail (DC_IS_TRAFFIC_VIEW (self));

  protocol = dc_protocol_lookup (self->protocol);
  driver = current_driver (self);
  if (driver != self->driver)
    {
      /* A new driver (restarted device) has a new ring. */
      self->driver = driver;
      self->last_seq = 0;
      g_hash_table_remove_all (self->pending);
    }
  if (driver == NULL || gtk_toggle_button_get_active (self->pause_button))
    return;

  /* Joining a device shows what its ring holds (up to the list's bound); after that each tick
   * takes at most FETCH_LIMIT of the newest. */
  frames = dc_traffic_get_frames (dc_driver_get_traffic (driver), self->last_seq,
                                  self->last_seq == 0 ? self->max_frames : FETCH_LIMIT);
  if (frames == NULL || frames->len == 0)
    return;

  items = g_ptr_array_new_full (frames->len, g_object_unref);
  for (guint i = 0; i < frames->len; i++)
    {
      DcTrafficFrame *frame = g_ptr_array_index (frames, i);
      DcTrafficItem *item = dc_traffic_item_new (driver, self->protocol, frame);

      if (frame->seq > self->last_seq + 1 && self->last_seq != 0)
        self->missed += frame->seq - self->last_seq - 1;
      self->last_seq = frame->seq;

      /* Modbus: a request whose transaction gets no answer within the device's timeout is
       * marked (RTU has no transaction id: the answer is the next frame received). */
      if (protocol != NULL && protocol->traffic_transactions && item->decoded != NULL)
        {
          gint64 transaction = json_object_get_int_member_with_default (item->decoded,
                                                                        "transaction", -1);

          if (!item->incoming)
            g_hash_table_replace (self->pending, GINT_TO_POINTER ((int) transaction),
                                  g_object_ref (item));
          else
            g_hash_table_remove (self->pending, GINT_TO_POINTER ((int) transaction));
        }
      note_type (self, item->kind);
      g_ptr_array_add (items, item);
    }

  expire_pending (self, frame_time_now (frames));
  follow = at_top (self);

  /* Newest first: the batch goes in at the top and the oldest leave at the bottom. GTK 4.8's
   * list views keep up to 200 row widgets around the top visible row and never recycle one for
   * another item, so changes at the far end cost nothing and a batch at the top costs one row
   * widget per new frame (appending at the bottom while following it, and trimming the top,
   * rebuilt all 200 each tick). Two list changes per tick at most. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  excess = n + items->len > self->max_frames ? MIN (n, n + items->len - self->max_frames) : 0;
  if (excess > 0)
    g_list_store_splice (self->store, n - excess, excess, NULL, 0);
  skip = items->len > self->max_frames ? items->len - self->max_frames : 0;
  {
    guint len = items->len - skip;
    g_autofree gpointer *reversed = g_new (gpointer, len);

    for (guint i = 0; i < len; i++)
      reversed[i] = g_ptr_array_index (items, items->len - 1 - i);
    g_list_store_splice (self->store, 0, 0, reversed, len);
  }
  update_count (self);
  if (follow && gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_to_top_cb, NULL, NULL);
}

static gboolean
tick_cb (gpointer user_data)
{
  dc_traffic_view_update (DC_TRAFFIC_VIEW (user_data));
  return G_SOURCE_CONTINUE;
}

/* The ring is read only while the page shows: a hidden monitor costs nothing under a flood
 * (the ring keeps the newest frames meanwhile). */
static void
update_timer (DcTrafficView *self)
{
  gboolean want = self->engine != NULL && self->device_id != NULL &&
                  gtk_widget_get_mapped (GTK_WIDGET (self));

  if (want && self->tick_id == 0)
    {
      self->tick_id = g_timeout_add (TICK_MS, tick_cb, self);
      dc_traffic_view_update (self);
    }
  else if (!want)
    g_clear_handle_id (&self->tick_id, g_source_remove);
}

static void
dc_traffic_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (dc_traffic_view_parent_class)->map (widget);
  update_timer (DC_TRAFFIC_VIEW (widget));
}

static void
dc_traffic_view_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (dc_traffic_view_parent_class)->unmap (widget);
  update_timer (DC_TRAFFIC_VIEW (widget));
}

static void
update_detail (DcTrafficView *self)
{
  DcTrafficItem *item = gtk_single_selection_get_selected_item (self->selection);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->detail_view);
  g_autofree char *text = NULL;

  if (item == NULL)
    {
      gtk_text_buffer_set_text (buffer, _("Select a frame to see its bytes."), -1);
      return;
    }
  text = dc_traffic_item_dup_detail (item);
  gtk_text_buffer_set_text (buffer, text, -1);
}

/* Cells -------------------------------------------------------------------------------------- */

static void
setup_label_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  GtkWidget *label = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (label), 0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_time_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  DcTrafficItem *item = gtk_list_item_get_item (list_item);
  g_autoptr(GDateTime) dt = dc_traffic_local_time_new (item->time);
  g_autofree char *hms = dt ? g_date_time_format (dt, "%H:%M:%S") : NULL;
  g_autofree char *text = NULL;

  text = g_strdup_printf ("%s.%03d", hms ? hms : "?",
                          dt ? (int) (g_date_time_get_microsecond (dt) / 1000) : 0);
  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (list_item)), text);
}

static void
bind_dir_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  DcTrafficItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *label = gtk_list_item_get_child (list_item);

  /* Text arrows rather than icons: rows are created often under a flood (GTK 4.8 does not
   * recycle row widgets), and symbolic icon lookups per row are what made that slow. */
  gtk_inscription_set_text (GTK_INSCRIPTION (label),
                            /* Translators: traffic direction, short (received / sent) */
                            item->incoming ? C_("traffic", "← rx") : C_("traffic", "→ tx"));
}

static void
setup_summary_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (label), 0);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), gtk_image_new ());
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_item_set_child (list_item, box);
}

static void
show_status (GtkWidget     *box,
             DcTrafficItem *item)
{
  GtkWidget *image = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_next_sibling (image);
  g_autofree char *text = NULL;
  const char *icon = NULL;
  const char *css = NULL;
  const char *what = NULL;

  switch (item->status)
    {
    case DC_TRAFFIC_ERROR:
      icon = "dialog-error-symbolic";
      css = "traffic-error";
      what = _("error");
      break;
    case DC_TRAFFIC_NEGATIVE:
      icon = "action-unavailable-symbolic";
      css = "traffic-negative";
      what = _("negative confirmation");
      break;
    case DC_TRAFFIC_TIMEOUT:
      icon = "alarm-symbolic";
      css = "traffic-timeout";
      what = _("no answer");
      break;
    case DC_TRAFFIC_OK:
    default:
      break;
    }
  gtk_image_set_from_icon_name (GTK_IMAGE (image), icon);
  gtk_widget_set_visible (image, icon != NULL);
  gtk_widget_remove_css_class (box, "traffic-error");
  gtk_widget_remove_css_class (box, "traffic-negative");
  gtk_widget_remove_css_class (box, "traffic-timeout");
  if (css != NULL)
    gtk_widget_add_css_class (box, css);
  if (item->status == DC_TRAFFIC_TIMEOUT)
    text = g_strdup_printf ("%s — %s", item->summary, what);
  gtk_inscription_set_text (GTK_INSCRIPTION (label), text ? text : item->summary);
  gtk_widget_set_tooltip_text (box, what);
}

static void
item_status_cb (DcTrafficItem *item,
                GParamSpec    *pspec,
                GtkWidget     *box)
{
  show_status (box, item);
}

static void
bind_summary_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 gpointer                  user_data)
{
  DcTrafficItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  show_status (box, item);
  g_signal_connect_object (item, "notify::status", G_CALLBACK (item_status_cb), box, 0);
}

static void
unbind_summary_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   gpointer                  user_data)
{
  DcTrafficItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);

  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, item_status_cb, box);
}

static void
add_column (DcTrafficView *self,
            const char    *title,
            GCallback      setup,
            GCallback      bind,
            GCallback      unbind,
            int            fixed_width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;

  g_signal_connect (factory, "setup", setup, self);
  g_signal_connect (factory, "bind", bind, self);
  if (unbind != NULL)
    g_signal_connect (factory, "unbind", unbind, self);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (column, fixed_width < 0);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (column, fixed_width);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (self->column_view, column);
  g_object_unref (column);
}

/* Export ------------------------------------------------------------------------------------- */

static GListModel *
export_model (DcTrafficView *self)
{
  return G_LIST_MODEL (self->filtered);
}

gboolean
dc_traffic_view_export_text (DcTrafficView *self,
                             GFile         *file,
                             GError       **error)
{
  GListModel *model = export_model (self);
  g_autoptr(GString) out = g_string_new (NULL);
  guint n = g_list_model_get_n_items (model);

  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), FALSE);

  /* The list is newest first; files are oldest first. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DcTrafficItem) item = g_list_model_get_item (model, n - 1 - i);

      dc_traffic_item_append_text (item, out);
    }
  return g_file_replace_contents (file, out->str, out->len, NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

gboolean
dc_traffic_view_export_pcap (DcTrafficView *self,
                             GFile         *file,
                             GError       **error)
{
  GListModel *model = export_model (self);
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = g_file_get_path (file);
  DcDriver *driver = current_driver (self);
  JsonObject *device = driver ? dc_driver_get_device (driver) : NULL;
  const DcProtocol *protocol = dc_protocol_lookup (self->protocol);
  const char *ip = "127.0.0.2";
  guint16 port = 502;

  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), FALSE);

  if (protocol != NULL && protocol->default_port != 0)
    port = protocol->default_port;
  if (device != NULL)
    {
      ip = json_object_get_string_member_with_default (device, "ip", ip);
      port = (guint16) json_object_get_int_member_with_default (device, "port", port);
    }
  for (guint i = g_list_model_get_n_items (model); i > 0; i--)
    {
      g_autoptr(DcTrafficItem) item = g_list_model_get_item (model, i - 1);
      DcTrafficFrame *frame = g_new0 (DcTrafficFrame, 1);

      /* Borrowed bytes: the items stay alive in the model during the write. */
      dc_traffic_item_get_frame (item, frame);
      g_ptr_array_add (frames, frame);
    }
  return dc_pcap_save (path, frames, ip, port, 50000, error);
}

static void
export_response_cb (GtkNativeDialog *native,
                    int              response,
                    gpointer         user_data)
{
  DcTrafficView *self = DC_TRAFFIC_VIEW (user_data);
  gboolean pcap = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (native), "dc-pcap"));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  gboolean ok;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      ok = pcap ? dc_traffic_view_export_pcap (self, file, &error)
                : dc_traffic_view_export_text (self, file, &error);
      if (!ok && ADW_IS_APPLICATION_WINDOW (root))
        {
          GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (root), _("Export Failed"),
                                                      error->message);

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
    }
  g_object_unref (native);
  g_object_unref (self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  DcTrafficView *self = DC_TRAFFIC_VIEW (widget);
  gboolean pcap = g_str_equal (action_name, "traffic.export-pcap");
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *native;
  g_autofree char *name = NULL;

  native = gtk_file_chooser_native_new (pcap ? _("Export Traffic as Pcap") : _("Export Traffic as Text"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  name = g_strdup_printf ("%s-traffic.%s", self->device_id ? self->device_id : "device",
                          pcap ? "pcap" : "txt");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  g_object_set_data (G_OBJECT (native), "dc-pcap", GINT_TO_POINTER (pcap));
  g_signal_connect (native, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
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
  gtk_widget_dispose_template (GTK_WIDGET (self), DC_TYPE_TRAFFIC_VIEW);
  g_hash_table_remove_all (self->pending);
  g_clear_object (&self->selection);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (dc_traffic_view_parent_class)->dispose (object);
}

static void
dc_traffic_view_finalize (GObject *object)
{
  DcTrafficView *self = DC_TRAFFIC_VIEW (object);

  g_free (self->device_id);
  g_free (self->protocol);
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
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, scroller);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, column_view);
  gtk_widget_class_bind_template_child (widget_class, DcTrafficView, detail_view);

  gtk_widget_class_install_action (widget_class, "traffic.clear", NULL, clear_action);
  gtk_widget_class_install_action (widget_class, "traffic.export-text", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "traffic.export-pcap", NULL, export_action);
}

static void
dc_traffic_view_init (DcTrafficView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->max_frames = DEFAULT_MAX;
  self->follow = TRUE;
  self->seen_types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->timeout_us = G_USEC_PER_SEC;
  self->types = gtk_string_list_new (NULL);
  gtk_string_list_append (self->types, _("All types"));
  gtk_drop_down_set_model (self->type_dropdown, G_LIST_MODEL (self->types));
  g_object_unref (self->types);  /* the dropdown keeps it */

  self->store = g_list_store_new (DC_TYPE_TRAFFIC_ITEM);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (self->store), GTK_FILTER (self->filter));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->filtered));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  add_column (self, _("Time"), G_CALLBACK (setup_label_cb), G_CALLBACK (bind_time_cb), NULL, 120);
  add_column (self, _("Dir."), G_CALLBACK (setup_label_cb), G_CALLBACK (bind_dir_cb), NULL, 70);
  add_column (self, _("Frame"), G_CALLBACK (setup_summary_cb), G_CALLBACK (bind_summary_cb),
              G_CALLBACK (unbind_summary_cb), -1);

  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (update_detail),
                           self, G_CONNECT_SWAPPED);
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
  update_detail (self);
  update_count (self);
}

GtkWidget *
dc_traffic_view_new (void)
{
  return g_object_new (DC_TYPE_TRAFFIC_VIEW, NULL);
}

void
dc_traffic_view_set_source (DcTrafficView *self,
                            DcEngine      *engine,
                            const char    *device_id)
{
  const DcProtocol *protocol;

  g_return_if_fail (DC_IS_TRAFFIC_VIEW (self));

  if (self->engine == engine && g_strcmp0 (self->device_id, device_id) == 0)
    return;
  g_set_object (&self->engine, engine);
  g_free (self->device_id);
  self->device_id = g_strdup (device_id);
  g_clear_pointer (&self->protocol, g_free);
  if (engine != NULL && device_id != NULL)
    {
      g_autoptr(JsonObject) device = dc_store_get (dc_engine_get_store (engine), DC_KIND_DEVICE,
                                                   device_id, NULL);

      if (device != NULL)
        {
          self->protocol = g_strdup (json_object_get_string_member_with_default (device, "protocol", ""));
          self->timeout_us = json_object_get_int_member_with_default (device, "timeout_ms", 1000) * 1000;
        }
    }
  protocol = dc_protocol_lookup (self->protocol);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "traffic.export-pcap",
                                 protocol == NULL || !protocol->serial_line);
  self->driver = NULL;
  self->last_seq = 0;
  /* Another device: its own frame types. */
  g_hash_table_remove_all (self->seen_types);
  gtk_drop_down_set_selected (self->type_dropdown, 0);
  gtk_string_list_splice (self->types, 1, g_list_model_get_n_items (G_LIST_MODEL (self->types)) - 1, NULL);
  dc_traffic_view_clear (self);

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
  g_list_store_remove_all (self->store);
  self->missed = 0;
  update_count (self);
}

GListModel *
dc_traffic_view_get_frames (DcTrafficView *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), NULL);
  return G_LIST_MODEL (self->store);
}

GListModel *
dc_traffic_view_get_shown (DcTrafficView *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

guint64
dc_traffic_view_get_missed (DcTrafficView *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_VIEW (self), 0);
  return self->missed;
}
