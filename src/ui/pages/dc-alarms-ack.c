/* dc-alarms-ack.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarms-page"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-alarms-page-private.h"

/* Several alarms at once (docs/ui-alarms.md "Acknowledge"): the active list selects several
 * rows (click, Ctrl+click, Shift+click); Acknowledge Selected… takes those of them that wait
 * for an acknowledgement, Acknowledge All… every alarm that waits, both with one comment and
 * through the plant connection (dc_plant_source_ack_all(): the plugin here, POST
 * /api/v1/alarms/ack on a server). The new states come back as the alarms' changes. */

static gboolean
row_waits (GtkWidget *row)
{
  return gtk_widget_has_css_class (row, "alarm-unacknowledged");
}

/* The ids of the selected rows that wait for an acknowledgement (@all FALSE), or of every row
 * that waits (@all TRUE). */
static GArray *
waiting_ids (DcAlarmsPage *self,
             gboolean      all)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  gpointer key, row;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, &row))
    if (row_waits (row) &&
        (all || gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (row))))
      g_array_append_val (ids, *(gint64 *) key);
  return ids;
}

static void
update_actions (DcAlarmsPage *self)
{
  g_autoptr(GArray) selected = waiting_ids (self, FALSE);
  g_autofree char *text = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "alarms.ack-selected", selected->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "alarms.ack-all", self->n_unacked > 0);
  if (self->n_unacked == 0)
    text = g_strdup (_("No alarm waits for an acknowledgement"));
  else if (selected->len > 0)
    /* Translators: "<n> alarms wait for an acknowledgement, <m> of them selected" */
    text = g_strdup_printf (ngettext ("%u alarm waits for an acknowledgement, %u selected",
                                      "%u alarms wait for an acknowledgement, %u selected",
                                      self->n_unacked),
                            self->n_unacked, selected->len);
  else
    text = g_strdup_printf (ngettext ("%u alarm waits for an acknowledgement",
                                      "%u alarms wait for an acknowledgement",
                                      self->n_unacked),
                            self->n_unacked);
  gtk_label_set_label (self->unacked_label, text);
}

static void
selection_changed_cb (DcAlarmsPage *self)
{
  GHashTableIter iter;
  gpointer key, row;

  if (self->rebuilding)
    return;
  g_hash_table_remove_all (self->selected);
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, &row))
    if (gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (row)))
      g_hash_table_add (self->selected, g_memdup2 (key, sizeof (gint64)));
  update_actions (self);
}

void
_dc_alarms_ack_begin_rebuild (DcAlarmsPage *self)
{
  self->rebuilding = TRUE;
}

void
_dc_alarms_ack_end_rebuild (DcAlarmsPage *self)
{
  GHashTableIter iter;
  gpointer key, row;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, &row))
    if (g_hash_table_contains (self->selected, key))
      gtk_list_box_select_row (self->active_list, GTK_LIST_BOX_ROW (row));
  self->rebuilding = FALSE;
  /* Alarms that left the list leave the selection. */
  selection_changed_cb (self);
}

/* The dialog. */

typedef struct
{
  DcAlarmsPage *self;
  GArray       *ids;
  GtkEditable  *comment;
} AckData;

static void
ack_data_free (AckData *data)
{
  g_object_unref (data->self);
  g_array_unref (data->ids);
  g_free (data);
}

static void
ack_done_cb (const GError *error,
             gpointer      user_data)
{
  g_autoptr(DcAlarmsPage) self = user_data;

  if (error != NULL)
    _dc_alarms_report (self, error->message);
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             AckData          *data)
{
  DcAlarmsPage *self = data->self;
  const char *comment = gtk_editable_get_text (data->comment);

  if (g_strcmp0 (response, "ack") != 0 || data->ids->len == 0)
    return;
  g_hash_table_remove_all (self->selected);
  if (self->alarm != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) done = dc_alarm_ack_many (self->alarm, (const gint64 *) data->ids->data,
                                                  data->ids->len, g_get_user_name (), comment,
                                                  &error);

      if (done == NULL)
        _dc_alarms_report (self, error->message);
    }
  else if (self->source != NULL)
    dc_plant_source_ack_all (self->source, (const gint64 *) data->ids->data, data->ids->len,
                             comment, ack_done_cb, g_object_ref (self));
}

void
_dc_alarms_ack_open_dialog (DcAlarmsPage *self,
                            gboolean      all)
{
  g_autoptr(GArray) ids = waiting_ids (self, all);
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;
  AckData *data;

  if (ids->len == 0)
    return;
  /* The ids shown now: an alarm that arrives while the dialog is open is not acknowledged
   * unseen. */
  body = g_strdup_printf (ngettext ("%u alarm will be acknowledged with this comment.",
                                    "%u alarms will be acknowledged with this comment.",
                                    ids->len),
                          ids->len);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   all ? _("Acknowledge All Alarms?")
                                       : _("Acknowledge Selected Alarms?"),
                                   body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "ack", _("_Acknowledge"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "ack",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "ack");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Comment"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Comment"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  data = g_new0 (AckData, 1);
  data->self = g_object_ref (self);
  data->ids = g_steal_pointer (&ids);
  data->comment = GTK_EDITABLE (entry);
  g_signal_connect_data (dialog, "response", G_CALLBACK (response_cb), data,
                         (GClosureNotify) ack_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

void
_dc_alarms_ack_init (DcAlarmsPage *self)
{
  self->selected = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_signal_connect_object (self->active_list, "selected-rows-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  update_actions (self);
}
