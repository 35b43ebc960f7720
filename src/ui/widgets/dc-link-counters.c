/* dc-link-counters.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-link-counters"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-link-counters.h"
#include "dc-number.h"

struct _DcLinkCounters
{
  AdwPreferencesGroup  parent_instance;

  DcPlantSource       *source;
  GCancellable        *query;
  char                *device_id;
  GHashTable          *rows;       /* key → AdwActionRow (borrowed, children of the group) */
  GHashTable          *texts;      /* key → text */
  GPtrArray           *order;      /* rows in insertion order */
  AdwExpanderRow      *histogram;
  GPtrArray           *bucket_rows;
  guint                timer_id;
};

G_DEFINE_FINAL_TYPE (DcLinkCounters, dc_link_counters, ADW_TYPE_PREFERENCES_GROUP)

enum {
  UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  const char *key;
  const char *title;
} Counter;

/* The counters shown, in this order; others of the status JSON are left out. */
static const Counter counters[] = {
  { "frames_in", N_("Frames received") },
  { "frames_out", N_("Frames sent") },
  { "bytes_in", N_("Bytes received") },
  { "bytes_out", N_("Bytes sent") },
  { "reconnects", N_("Reconnects") },
  /* IEC 104 */
  { "t1_timeouts", N_("t1 timeouts") },
  { "k_max_used", N_("Most unacknowledged frames sent (k)") },
  { "w_max_used", N_("Most frames received before acknowledging (w)") },
  { "acks_held", N_("Acknowledgements held back (congestion)") },
  { "asdus_in", N_("ASDUs received") },
  { "asdus_dropped", N_("ASDUs dropped") },
  { "unknown_objects", N_("Objects of unknown addresses") },
  { "gi_count", N_("General interrogations") },
  { "ci_count", N_("Counter interrogations") },
  { "clock_syncs", N_("Clock synchronisations") },
  { "using_backup", N_("Using the backup address") },
  /* Modbus */
  { "requests", N_("Requests") },
  { "responses", N_("Responses") },
  { "exceptions", N_("Exceptions") },
  { "timeouts", N_("Timeouts") },
  { "late_polls", N_("Late polls") },
  { "max_lateness_ms", N_("Longest poll lateness (ms)") },
  { "invalid_points", N_("Points with an invalid address") },
  /* Sparkplug B edge node (sparkplug devices) */
  { "node_online", N_("Edge node online") },
  { "messages", N_("Messages received") },
  { "values", N_("Values received") },
  { "historical", N_("Historical values") },
  { "births", N_("Births") },
  { "deaths", N_("Deaths") },
  { "seq_gaps", N_("Sequence gaps") },
  { "rebirth_requests", N_("Rebirths requested") },
  { "unknown_aliases", N_("Values of unknown metrics") },
  { "decode_errors", N_("Payloads that did not decode") },
  { "commands", N_("Commands sent") },
  { "points_created", N_("Points made from births") },
};

static AdwActionRow *
ensure_row (DcLinkCounters *self,
            const char     *key,
            const char     *title)
{
  AdwActionRow *row = g_hash_table_lookup (self->rows, key);

  if (row == NULL)
    {
      GtkWidget *label = gtk_label_new (NULL);

      row = ADW_ACTION_ROW (adw_action_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(title));
      gtk_widget_add_css_class (label, "numeric");
      adw_action_row_add_suffix (row, label);
      g_object_set_data (G_OBJECT (row), "dc-label", label);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (row));
      g_hash_table_insert (self->rows, g_strdup (key), row);
      g_ptr_array_add (self->order, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (row), TRUE);
  return row;
}

static void
set_text (DcLinkCounters *self,
          AdwActionRow   *row,
          const char     *key,
          const char     *text)
{
  GtkLabel *label = g_object_get_data (G_OBJECT (row), "dc-label");

  gtk_label_set_label (label, text);
  g_hash_table_insert (self->texts, g_strdup (key), g_strdup (text));
}

static char *
node_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("—");
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? _("yes") : _("no"));
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return dc_number_format (json_node_get_double (node), -1);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return g_strdup ("…");
}

static void
update_histogram (DcLinkCounters *self,
                  JsonObject     *hist)
{
  JsonArray *le = json_object_get_array_member (hist, "le_ms");
  JsonArray *count = json_object_get_array_member (hist, "count");
  guint n = MIN (json_array_get_length (le), json_array_get_length (count));
  gint64 total = 0, max = 1;

  if (self->histogram == NULL)
    {
      self->histogram = ADW_EXPANDER_ROW (adw_expander_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->histogram), _("Response times"));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->histogram));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->histogram), TRUE);
  for (guint i = 0; i < n; i++)
    {
      gint64 c = json_array_get_int_element (count, i);

      total += c;
      max = MAX (max, c);
    }
  for (guint i = 0; i < n; i++)
    {
      gint64 c = json_array_get_int_element (count, i);
      JsonNode *bound = json_array_get_element (le, i);
      g_autofree char *title = NULL;
      g_autofree char *text = NULL;
      g_autofree char *key = g_strdup_printf ("histogram_%u", i);
      AdwActionRow *row;
      GtkLevelBar *bar;

      if (i >= self->bucket_rows->len)
        {
          GtkWidget *label = gtk_label_new (NULL);
          GtkWidget *level = gtk_level_bar_new ();

          row = ADW_ACTION_ROW (adw_action_row_new ());
          gtk_widget_set_size_request (level, 160, -1);
          gtk_widget_set_valign (level, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (label, "numeric");
          gtk_label_set_width_chars (GTK_LABEL (label), 8);
          gtk_label_set_xalign (GTK_LABEL (label), 1);
          adw_action_row_add_suffix (row, level);
          adw_action_row_add_suffix (row, label);
          g_object_set_data (G_OBJECT (row), "dc-label", label);
          g_object_set_data (G_OBJECT (row), "dc-bar", level);
          adw_expander_row_add_row (self->histogram, GTK_WIDGET (row));
          g_ptr_array_add (self->bucket_rows, row);
        }
      row = g_ptr_array_index (self->bucket_rows, i);
      if (JSON_NODE_HOLDS_NULL (bound))
        /* Translators: the last, open bucket of the response-time histogram */
        title = g_strdup_printf (_("over %ld ms"),
                                 (long) (i > 0 ? json_array_get_int_element (le, i - 1) : 0));
      else
        title = g_strdup_printf (_("up to %ld ms"), (long) json_node_get_int (bound));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      text = g_strdup_printf ("%" G_GINT64_FORMAT, c);
      set_text (self, row, key, text);
      bar = g_object_get_data (G_OBJECT (row), "dc-bar");
      gtk_level_bar_set_value (bar, (double) c / (double) max);
    }
  {
    /* Plain %ld (not G_GINT64_FORMAT): xgettext cannot expand GLib's format macros. */
    g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%ld response",
                                                              "%ld responses", total),
                                                 (long) total);

    adw_expander_row_set_subtitle (self->histogram, subtitle);
  }
}

static void
show_status (DcLinkCounters *self,
             JsonNode       *status)
{
  JsonObject *object, *protocol = NULL;

  for (guint i = 0; i < self->order->len; i++)
    gtk_widget_set_visible (g_ptr_array_index (self->order, i), FALSE);
  if (self->histogram != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->histogram), FALSE);
  g_hash_table_remove_all (self->texts);

  if (status == NULL || !JSON_NODE_HOLDS_OBJECT (status))
    {
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                             _("No link: the device is disabled, virtual or not selected."));
      return;
    }
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self), NULL);
  object = json_node_get_object (status);
  if (json_object_has_member (object, "protocol") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "protocol")))
    protocol = json_object_get_object_member (object, "protocol");

  for (guint i = 0; i < G_N_ELEMENTS (counters); i++)
    {
      JsonObject *from = json_object_has_member (object, counters[i].key) ? object : protocol;
      g_autofree char *text = NULL;
      AdwActionRow *row;

      if (from == NULL || !json_object_has_member (from, counters[i].key))
        continue;
      row = ensure_row (self, counters[i].key, counters[i].title);
      text = node_text (json_object_get_member (from, counters[i].key));
      set_text (self, row, counters[i].key, text);
    }
  if (protocol != NULL && json_object_has_member (protocol, "response_time_histogram") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (protocol, "response_time_histogram")))
    update_histogram (self, json_object_get_object_member (protocol, "response_time_histogram"));
}

static void
apply_status (DcLinkCounters *self,
              JsonNode       *status)
{
  show_status (self, status);
  g_signal_emit (self, signals[UPDATED], 0);
}

static void
status_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(DcLinkCounters) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) status = dc_plant_source_status_finish (DC_PLANT_SOURCE (object), result,
                                                              &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  apply_status (self, status);
}

void
dc_link_counters_refresh (DcLinkCounters *self)
{
  g_return_if_fail (DC_IS_LINK_COUNTERS (self));

  /* Through the plant connection: this process's drivers, or the server's status route. */
  if (self->query != NULL)
    g_cancellable_cancel (self->query);
  g_clear_object (&self->query);
  if (self->source == NULL || self->device_id == NULL)
    {
      apply_status (self, NULL);
      return;
    }
  self->query = g_cancellable_new ();
  dc_plant_source_status_async (self->source, self->device_id, self->query, status_ready_cb,
                                g_object_ref (self));
}

static gboolean
refresh_cb (gpointer user_data)
{
  dc_link_counters_refresh (DC_LINK_COUNTERS (user_data));
  return G_SOURCE_CONTINUE;
}

static void
dc_link_counters_map (GtkWidget *widget)
{
  DcLinkCounters *self = DC_LINK_COUNTERS (widget);

  GTK_WIDGET_CLASS (dc_link_counters_parent_class)->map (widget);
  dc_link_counters_refresh (self);
  if (self->timer_id == 0)
    self->timer_id = g_timeout_add_seconds (1, refresh_cb, self);
}

static void
dc_link_counters_unmap (GtkWidget *widget)
{
  DcLinkCounters *self = DC_LINK_COUNTERS (widget);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  GTK_WIDGET_CLASS (dc_link_counters_parent_class)->unmap (widget);
}

static void
dc_link_counters_dispose (GObject *object)
{
  DcLinkCounters *self = DC_LINK_COUNTERS (object);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->query != NULL)
    g_cancellable_cancel (self->query);
  g_clear_object (&self->query);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (dc_link_counters_parent_class)->dispose (object);
}

static void
dc_link_counters_finalize (GObject *object)
{
  DcLinkCounters *self = DC_LINK_COUNTERS (object);

  g_free (self->device_id);
  g_hash_table_unref (self->rows);
  g_hash_table_unref (self->texts);
  g_ptr_array_unref (self->order);
  g_ptr_array_unref (self->bucket_rows);

  G_OBJECT_CLASS (dc_link_counters_parent_class)->finalize (object);
}

static void
dc_link_counters_class_init (DcLinkCountersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dc_link_counters_dispose;
  object_class->finalize = dc_link_counters_finalize;
  widget_class->map = dc_link_counters_map;
  widget_class->unmap = dc_link_counters_unmap;

  /* The counters were read again (or cleared): the Device page refreshes what it shows
   * beside them at the same moment. */
  signals[UPDATED] = g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
dc_link_counters_init (DcLinkCounters *self)
{
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->order = g_ptr_array_new ();
  self->bucket_rows = g_ptr_array_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("Link Counters"));
}

GtkWidget *
dc_link_counters_new (void)
{
  return g_object_new (DC_TYPE_LINK_COUNTERS, NULL);
}

void
dc_link_counters_set_source (DcLinkCounters *self,
                             DcPlantSource  *source,
                             const char     *device_id)
{
  g_return_if_fail (DC_IS_LINK_COUNTERS (self));
  g_return_if_fail (source == NULL || DC_IS_PLANT_SOURCE (source));

  g_set_object (&self->source, source);
  g_free (self->device_id);
  self->device_id = g_strdup (device_id);
  dc_link_counters_refresh (self);
}

const char *
dc_link_counters_get_text (DcLinkCounters *self,
                           const char     *key)
{
  g_return_val_if_fail (DC_IS_LINK_COUNTERS (self), NULL);
  return g_hash_table_lookup (self->texts, key);
}
