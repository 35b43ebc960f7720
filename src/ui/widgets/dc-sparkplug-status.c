/* dc-sparkplug-status.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-sparkplug-status"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-sparkplug-status.h"
#include "dc-status-section.h"

struct _DcSparkplugStatus
{
  AdwPreferencesGroup  parent_instance;

  GHashTable          *rows;   /* key → AdwActionRow (borrowed) */
  GHashTable          *texts;  /* key → text */
  guint                timer_id;
};

G_DEFINE_FINAL_TYPE (DcSparkplugStatus, dc_sparkplug_status, ADW_TYPE_PREFERENCES_GROUP)

typedef struct
{
  const char *key;
  const char *title;
} Row;

/* The rows, in this order ("state" also shows whether a session is up). */
static const Row rows[] = {
  { "state", N_("State") },
  { "broker", N_("Broker") },
  { "primary_host_online", N_("Primary host") },
  { "births", N_("Births") },
  { "reconnects", N_("Reconnects") },
  { "values_sent", N_("Values sent") },
  { "queued", N_("Values queued") },
  { "replayed", N_("Values sent from the queue") },
  { "dropped", N_("Values dropped") },
};

static char *
text_for (const char *key,
          JsonObject *section)
{
  JsonNode *node = json_object_get_member (section, key);

  if (g_str_equal (key, "state"))
    {
      const char *state = json_object_get_string_member_with_default (section, "state", "");
      gboolean tls = json_object_get_boolean_member_with_default (section, "tls", FALSE);

      if (g_str_equal (state, "online"))
        return g_strdup (tls ? _("Online (TLS)") : _("Online"));
      if (g_str_equal (state, "waiting_for_primary_host"))
        return g_strdup (_("Connected, waiting for the primary host"));
      return g_strdup (_("Connecting"));
    }
  if (g_str_equal (key, "primary_host_online"))
    {
      const char *host = json_object_get_string_member_with_default (section,
                                                                     "primary_host_id", NULL);

      if (host == NULL || node == NULL || JSON_NODE_HOLDS_NULL (node))
        return g_strdup (_("None"));
      /* Translators: %s is the primary host's id. */
      return g_strdup_printf (json_node_get_boolean (node) ? _("%s, online") : _("%s, offline"),
                              host);
    }
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("—");
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  return g_strdup (json_node_get_string (node));
}

void
dc_sparkplug_status_refresh (DcSparkplugStatus *self)
{
  g_autoptr(JsonNode) section = NULL;

  g_return_if_fail (DC_IS_SPARKPLUG_STATUS (self));

  section = dc_status_section_get ("sparkplug");
  gtk_widget_set_visible (GTK_WIDGET (self), section != NULL);
  g_hash_table_remove_all (self->texts);
  if (section == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      AdwActionRow *row = g_hash_table_lookup (self->rows, rows[i].key);
      char *text = text_for (rows[i].key, json_node_get_object (section));

      adw_action_row_set_subtitle (row, text);
      g_hash_table_insert (self->texts, (gpointer) rows[i].key, text);
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  dc_sparkplug_status_refresh (user_data);
  return G_SOURCE_CONTINUE;
}

static void
dc_sparkplug_status_map (GtkWidget *widget)
{
  DcSparkplugStatus *self = DC_SPARKPLUG_STATUS (widget);

  GTK_WIDGET_CLASS (dc_sparkplug_status_parent_class)->map (widget);
  dc_sparkplug_status_refresh (self);
  if (self->timer_id == 0)
    self->timer_id = g_timeout_add_seconds (1, tick_cb, self);
}

static void
dc_sparkplug_status_unmap (GtkWidget *widget)
{
  DcSparkplugStatus *self = DC_SPARKPLUG_STATUS (widget);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  GTK_WIDGET_CLASS (dc_sparkplug_status_parent_class)->unmap (widget);
}

static void
dc_sparkplug_status_dispose (GObject *object)
{
  DcSparkplugStatus *self = DC_SPARKPLUG_STATUS (object);

  g_clear_handle_id (&self->timer_id, g_source_remove);

  G_OBJECT_CLASS (dc_sparkplug_status_parent_class)->dispose (object);
}

static void
dc_sparkplug_status_finalize (GObject *object)
{
  DcSparkplugStatus *self = DC_SPARKPLUG_STATUS (object);

  g_hash_table_unref (self->rows);
  g_hash_table_unref (self->texts);

  G_OBJECT_CLASS (dc_sparkplug_status_parent_class)->finalize (object);
}

static void
dc_sparkplug_status_class_init (DcSparkplugStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dc_sparkplug_status_dispose;
  object_class->finalize = dc_sparkplug_status_finalize;
  widget_class->map = dc_sparkplug_status_map;
  widget_class->unmap = dc_sparkplug_status_unmap;
}

static void
dc_sparkplug_status_init (DcSparkplugStatus *self)
{
  self->rows = g_hash_table_new (g_str_hash, g_str_equal);
  self->texts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("MQTT Sparkplug B"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         _("The edge node that publishes every device"));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(rows[i].title));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
      g_hash_table_insert (self->rows, (gpointer) rows[i].key, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
dc_sparkplug_status_new (void)
{
  return g_object_new (DC_TYPE_SPARKPLUG_STATUS, NULL);
}

const char *
dc_sparkplug_status_get_text (DcSparkplugStatus *self,
                              const char        *key)
{
  g_return_val_if_fail (DC_IS_SPARKPLUG_STATUS (self), NULL);

  return g_hash_table_lookup (self->texts, key);
}
