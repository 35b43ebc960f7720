/* dc-alarms-attention.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarms-page"

#include "config.h"

#include "dc-alarms-page-private.h"
#include "dc-ui.h"

/* What draws the operator to an alarm waiting for an acknowledgement (docs/ui-alarms.md
 * "Attention"): its row is tinted and flashes (the style class alarm-flash toggled twice a
 * second) until it is acknowledged — steady when the desktop turns animations off
 * (gtk-enable-animations: GNOME's "reduce animation") — and, when the preferences ask for it
 * (alarm-sound, off by default), the display's bell rings for each new alarm. */

#define FLASH_INTERVAL_MS 500
#define FLASH_CLASS       "alarm-flash"
#define UNACKED_CLASS     "alarm-unacknowledged"

static gboolean
animations_enabled (DcAlarmsPage *self)
{
  gboolean enabled = TRUE;

  if (self->gtk_settings != NULL)
    g_object_get (self->gtk_settings, "gtk-enable-animations", &enabled, NULL);
  return enabled;
}

static void
apply_flash (DcAlarmsPage *self)
{
  GHashTableIter iter;
  gpointer row;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    {
      if (self->flash_on && gtk_widget_has_css_class (row, UNACKED_CLASS))
        gtk_widget_add_css_class (row, FLASH_CLASS);
      else
        gtk_widget_remove_css_class (row, FLASH_CLASS);
    }
}

static gboolean
flash_cb (gpointer user_data)
{
  DcAlarmsPage *self = user_data;

  self->flash_on = !self->flash_on;
  apply_flash (self);
  return G_SOURCE_CONTINUE;
}

void
_dc_alarms_attention_update (DcAlarmsPage *self)
{
  gboolean mapped = gtk_widget_get_mapped (GTK_WIDGET (self));
  GtkSettings *settings = mapped ? gtk_widget_get_settings (GTK_WIDGET (self)) : NULL;
  gboolean flash;

  /* Follow the setting of the display the page is on, while it is shown. */
  if (settings != self->gtk_settings)
    {
      if (self->gtk_settings != NULL)
        g_signal_handlers_disconnect_by_func (self->gtk_settings, _dc_alarms_attention_update,
                                              self);
      g_set_object (&self->gtk_settings, settings);
      if (settings != NULL)
        g_signal_connect_object (settings, "notify::gtk-enable-animations",
                                 G_CALLBACK (_dc_alarms_attention_update), self,
                                 G_CONNECT_SWAPPED);
    }

  flash = mapped && self->n_unacked > 0 && animations_enabled (self);
  if (flash && self->flash_id == 0)
    {
      self->flash_on = TRUE;
      self->flash_id = g_timeout_add (FLASH_INTERVAL_MS, flash_cb, self);
      g_source_set_name_by_id (self->flash_id, "[datacoll] alarm flash");
    }
  else if (!flash && self->flash_id != 0)
    g_clear_handle_id (&self->flash_id, g_source_remove);
  if (self->flash_id == 0)
    self->flash_on = FALSE;
  apply_flash (self);
}

void
_dc_alarms_attention_new (DcAlarmsPage *self)
{
  if (self->settings == NULL || !g_settings_get_boolean (self->settings, "alarm-sound"))
    return;
  /* The display's bell: no sound file, no new dependency; a desktop that maps the bell to a
   * sound plays it. */
  gdk_display_beep (gtk_widget_get_display (GTK_WIDGET (self)));
  self->n_beeps++;
}

void
_dc_alarms_attention_init (DcAlarmsPage *self)
{
  self->settings = dc_ui_settings_new (NULL);
  g_signal_connect (self, "map", G_CALLBACK (_dc_alarms_attention_update), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (_dc_alarms_attention_update), NULL);
}

void
_dc_alarms_attention_dispose (DcAlarmsPage *self)
{
  g_clear_handle_id (&self->flash_id, g_source_remove);
  if (self->gtk_settings != NULL)
    g_signal_handlers_disconnect_by_func (self->gtk_settings, _dc_alarms_attention_update, self);
  g_clear_object (&self->gtk_settings);
  g_clear_object (&self->settings);
}
