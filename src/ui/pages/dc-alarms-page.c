/* dc-alarms-page.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarms-page"

#include "config.h"

#include "dc-error.h"

#include <math.h>

#include <glib/gi18n.h>

#include "dc-alarms-page-private.h"
#include "dc-alarm-badge.h"
#include "dc-ui.h"

enum {
  PROP_0,
  PROP_N_UNACKNOWLEDGED,
  PROP_NEEDS_ATTENTION,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (DcAlarmsPage, dc_alarms_page, ADW_TYPE_BIN)

/* The alarms the page shows: the plugin set directly, else the plant connection's. */
static gboolean
page_has_alarms (DcAlarmsPage *self)
{
  return self->alarm != NULL ||
         (self->source != NULL && dc_plant_source_has_alarms (self->source));
}

static JsonArray *
page_list (DcAlarmsPage *self,
           gboolean      all)
{
  if (self->alarm != NULL)
    return dc_alarm_list (self->alarm, all);
  if (self->source != NULL)
    return dc_plant_source_list_alarms (self->source, all);
  return json_array_new ();
}

static GParamSpec *properties[N_PROPS];

static void
update_unacked (DcAlarmsPage *self,
                guint         n)
{
  gboolean attention = self->n_unacked > 0;

  if (self->n_unacked == n)
    return;
  self->n_unacked = n;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UNACKNOWLEDGED]);
  if (attention != (n > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_ATTENTION]);
}

/* The alarm id of the row that holds the keyboard focus, or 0. */
static gint64
focused_alarm (DcAlarmsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->active_list)))
    return 0;
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (focus == value || gtk_widget_is_ancestor (focus, value))
      return *(gint64 *) key;
  return 0;
}

static void
refresh_active (DcAlarmsPage *self)
{
  g_autoptr(JsonArray) list = NULL;
  GtkWidget *child;
  guint n_unacked = 0;
  gint64 focus_id = focused_alarm (self);

  _dc_alarms_ack_begin_rebuild (self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->active_list))) != NULL)
    gtk_list_box_remove (self->active_list, child);
  g_hash_table_remove_all (self->rows);

  if (!page_has_alarms (self))
    {
      adw_status_page_set_title (self->status_page, _("Alarms Are Off"));
      adw_status_page_set_description (self->status_page,
                                       _("The alarm plugin is switched off in the configuration."));
      gtk_stack_set_visible_child_name (self->active_stack, "none");
      update_unacked (self, 0);
      _dc_alarms_update_badges (self, NULL);
      _dc_alarms_ack_end_rebuild (self);
      _dc_alarms_attention_update (self);
      return;
    }

  list = page_list (self, FALSE);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *object = json_array_get_object_element (list, i);
      const char *state = _dc_alarms_json_string (object, "state");
      GtkWidget *row = _dc_alarms_active_row_new (self, object);

      if (g_str_has_suffix (state ? state : "", "_unacknowledged"))
        n_unacked++;
      gtk_list_box_append (self->active_list, row);
      g_hash_table_insert (self->rows,
                           g_memdup2 (&(gint64) { json_object_get_int_member (object, "id") },
                                      sizeof (gint64)),
                           row);
    }
  adw_status_page_set_title (self->status_page, _("No Active Alarms"));
  adw_status_page_set_description (self->status_page,
                                   _("Alarms appear here when a point leaves its limits or a "
                                     "device stops answering."));
  gtk_stack_set_visible_child_name (self->active_stack,
                                    json_array_get_length (list) > 0 ? "list" : "none");
  update_unacked (self, n_unacked);
  _dc_alarms_update_badges (self, list);
  _dc_alarms_ack_end_rebuild (self);
  _dc_alarms_attention_update (self);

  /* The list is rebuilt: keep the keyboard on the same alarm, else on the first one. */
  if (focus_id != 0)
    {
      GtkWidget *row = g_hash_table_lookup (self->rows, &focus_id);
      GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->active_list, 0);

      if (row != NULL)
        gtk_widget_grab_focus (row);
      else if (first != NULL)
        gtk_widget_grab_focus (GTK_WIDGET (first));
    }
}

static gboolean
refresh_idle_cb (gpointer user_data)
{
  DcAlarmsPage *self = user_data;

  self->refresh_id = 0;
  dc_alarms_page_refresh (self);
  return G_SOURCE_REMOVE;
}

static void
queue_refresh (DcAlarmsPage *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, refresh_idle_cb, self, NULL);
}

static void
maybe_notify (DcAlarmsPage *self,
              JsonObject   *object)
{
  const char *priority = _dc_alarms_json_string (object, "priority");
  g_autofree char *text = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root))
                                             : NULL;
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *source = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *value = NULL;
  g_autofree char *notification_id = NULL;
  g_autoptr(GIcon) icon = NULL;
  gboolean critical = g_strcmp0 (priority, "critical") == 0;

  if (!critical && g_strcmp0 (priority, "high") != 0)
    return;
  /* The operator sees the page (and its badge) while the window has the focus. */
  if (app == NULL || gtk_window_is_active (GTK_WINDOW (root)) ||
      !g_application_get_is_registered (G_APPLICATION (app)))
    return;

  source = _dc_alarms_source_name (self, object);
  value = _dc_alarms_format_value (self, object);
  title = critical ? g_strdup_printf (_("Critical alarm: %s"), source)
                   : g_strdup_printf (_("High alarm: %s"), source);
  text = _dc_alarms_describe (self, object);
  /* Translators: notification body: the alarm in words and the value: "F1 current above high
   * limit 95 A, value 96.3 A." */
  body = g_strdup_printf (_("%s, value %s."), text, value);
  notification = g_notification_new (title);
  g_notification_set_body (notification, g_strstrip (body));
  g_notification_set_priority (notification, critical ? G_NOTIFICATION_PRIORITY_URGENT
                                                      : G_NOTIFICATION_PRIORITY_HIGH);
  icon = g_themed_icon_new (dc_alarm_priority_icon (priority));
  g_notification_set_icon (notification, icon);
  g_notification_set_default_action (notification, "app.show-alarms");
  notification_id = g_strdup_printf ("alarm-%" G_GINT64_FORMAT,
                                     json_object_get_int_member_with_default (object, "id", 0));
  /* Counted even without a session bus (tests, a bare X session), where nothing can show it. */
  self->n_notifications++;
  if (g_application_get_dbus_connection (G_APPLICATION (app)) != NULL)
    g_application_send_notification (G_APPLICATION (app), notification_id, notification);
  else
    g_debug ("no session bus: notification %s not sent", notification_id);
}

static void seed_states (DcAlarmsPage *self);

static void
alarm_changed_cb (DcAlarmsPage *self,
                  JsonObject   *object,
                  gpointer      emitter)
{
  gint64 id;
  const char *state;
  gpointer previous;
  gboolean is_new;

  /* NULL: everything may have changed (a remote desk read the server's alarms again). */
  if (object == NULL)
    {
      seed_states (self);
      queue_refresh (self);
      return;
    }
  id = json_object_get_int_member_with_default (object, "id", 0);
  state = _dc_alarms_json_string (object, "state");
  previous = g_hash_table_lookup (self->states, &id);
  is_new = g_strcmp0 (state, "active_unacknowledged") == 0 &&
           (previous == NULL || g_strcmp0 (previous, "active_unacknowledged") != 0);

  g_hash_table_insert (self->states, g_memdup2 (&id, sizeof id), g_strdup (state ? state : ""));
  if (is_new)
    {
      maybe_notify (self, object);
      _dc_alarms_attention_new (self);
    }
  queue_refresh (self);
}

static void
seed_states (DcAlarmsPage *self)
{
  g_autoptr(JsonArray) all = NULL;

  g_hash_table_remove_all (self->states);
  if (!page_has_alarms (self))
    return;
  all = page_list (self, TRUE);
  for (guint i = 0; i < json_array_get_length (all); i++)
    {
      JsonObject *object = json_array_get_object_element (all, i);
      gint64 id = json_object_get_int_member_with_default (object, "id", 0);

      g_hash_table_insert (self->states, g_memdup2 (&id, sizeof id),
                           g_strdup (_dc_alarms_json_string (object, "state")));
    }
}

/* Acknowledge and shelve dialogs. */

typedef struct
{
  DcAlarmsPage *self;
  gint64        id;
  GtkEditable  *comment;
  GtkDropDown  *duration;
} DialogData;

static void
dialog_data_free (DialogData *data)
{
  g_object_unref (data->self);
  g_free (data);
}

static void
action_done_cb (const GError *error,
                gpointer      user_data)
{
  g_autoptr(DcAlarmsPage) self = user_data;

  if (error != NULL)
    _dc_alarms_report (self, error->message);
  dc_alarms_page_refresh (self);
}

static void
dialog_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    DialogData       *data)
{
  static const gint64 durations[] = { 15 * 60, 3600, 8 * 3600, 24 * 3600 };
  DcAlarmsPage *self = data->self;
  g_autoptr(GError) error = NULL;
  const char *comment = gtk_editable_get_text (data->comment);
  const char *user = g_get_user_name ();

  if (self->alarm == NULL && self->source != NULL)
    {
      /* Through the plant connection, as the desk's user; the new state comes back as an
       * ::alarm-changed. */
      if (g_strcmp0 (response, "ack") == 0 || g_strcmp0 (response, "shelve") == 0)
        {
          guint selected = data->duration ? gtk_drop_down_get_selected (data->duration) : 0;
          gint64 span = durations[MIN (selected, G_N_ELEMENTS (durations) - 1)];

          dc_plant_source_alarm_action (self->source, data->id,
                                        g_strcmp0 (response, "shelve") == 0,
                                        g_get_real_time () + span * G_USEC_PER_SEC, comment,
                                        action_done_cb, g_object_ref (self));
        }
      return;
    }
  if (self->alarm == NULL)
    return;
  if (g_strcmp0 (response, "ack") == 0)
    dc_alarm_ack (self->alarm, data->id, user, comment, &error);
  else if (g_strcmp0 (response, "shelve") == 0)
    {
      guint selected = gtk_drop_down_get_selected (data->duration);
      gint64 span = durations[MIN (selected, G_N_ELEMENTS (durations) - 1)];

      dc_alarm_shelve (self->alarm, data->id, g_get_real_time () + span * G_USEC_PER_SEC,
                       user, comment, &error);
    }
  else
    return;

  if (error != NULL)
    _dc_alarms_report (self, error->message);
  dc_alarms_page_refresh (self);
}

static void
open_dialog (DcAlarmsPage *self,
             gint64        id,
             gboolean      shelve)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *box;
  GtkWidget *entry;
  DialogData *data;

  if (self->alarm != NULL)
    object = dc_alarm_get (self->alarm, id, &error);
  else if (self->source != NULL &&
           (object = dc_plant_source_get_alarm (self->source, id)) == NULL)
    g_set_error_literal (&error, DC_ERROR, DC_ERROR_NOT_FOUND, "alarm_id not found!");
  else if (self->source == NULL)
    return;
  if (object == NULL)
    {
      _dc_alarms_report (self, error->message);
      return;
    }

  /* The alarm in words: "F3 breaker is open". */
  body = _dc_alarms_describe (self, object);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   shelve ? _("Shelve Alarm?") : _("Acknowledge Alarm?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    shelve ? "shelve" : "ack",
                                    shelve ? _("_Shelve") : _("_Acknowledge"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog),
                                              shelve ? "shelve" : "ack",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), shelve ? "shelve" : "ack");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Comment"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Comment"), -1);
  gtk_box_append (GTK_BOX (box), entry);

  data = g_new0 (DialogData, 1);
  data->self = g_object_ref (self);
  data->id = id;
  data->comment = GTK_EDITABLE (entry);
  if (shelve)
    {
      const char *choices[] = { _("For 15 minutes"), _("For 1 hour"), _("For 8 hours"),
                                _("For 24 hours"), NULL };
      GtkWidget *duration = gtk_drop_down_new_from_strings (choices);

      gtk_drop_down_set_selected (GTK_DROP_DOWN (duration), 1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (duration), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Shelve for"), -1);
      gtk_box_append (GTK_BOX (box), duration);
      data->duration = GTK_DROP_DOWN (duration);
    }
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  g_signal_connect_data (dialog, "response", G_CALLBACK (dialog_response_cb), data,
                         (GClosureNotify) dialog_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
ack_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  open_dialog (DC_ALARMS_PAGE (widget), g_variant_get_int64 (param), FALSE);
}

static void
shelve_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  open_dialog (DC_ALARMS_PAGE (widget), g_variant_get_int64 (param), TRUE);
}

static void
ack_selected_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  _dc_alarms_ack_open_dialog (DC_ALARMS_PAGE (widget), FALSE);
}

static void
ack_all_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  _dc_alarms_ack_open_dialog (DC_ALARMS_PAGE (widget), TRUE);
}

static void
export_csv_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  _dc_alarms_journal_export_dialog (DC_ALARMS_PAGE (widget));
}

static void
dc_alarms_page_dispose (GObject *object)
{
  DcAlarmsPage *self = DC_ALARMS_PAGE (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  _dc_alarms_attention_dispose (self);
  if (self->alarm != NULL)
    g_signal_handlers_disconnect_by_func (self->alarm, alarm_changed_cb, self);
  g_clear_object (&self->alarm);
  if (self->source != NULL)
    g_signal_handlers_disconnect_by_func (self->source, alarm_changed_cb, self);
  g_clear_object (&self->source);
  g_clear_pointer (&self->badged, g_ptr_array_unref);
  g_clear_object (&self->plant);
  gtk_widget_dispose_template (GTK_WIDGET (self), DC_TYPE_ALARMS_PAGE);
  g_clear_object (&self->filtered);
  g_clear_object (&self->journal);
  g_clear_pointer (&self->states, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->selected, g_hash_table_unref);

  G_OBJECT_CLASS (dc_alarms_page_parent_class)->dispose (object);
}

static void
dc_alarms_page_finalize (GObject *object)
{
  DcAlarmsPage *self = DC_ALARMS_PAGE (object);

  g_free (self->filter_text);

  G_OBJECT_CLASS (dc_alarms_page_parent_class)->finalize (object);
}

static void
dc_alarms_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DcAlarmsPage *self = DC_ALARMS_PAGE (object);

  switch (prop_id)
    {
    case PROP_N_UNACKNOWLEDGED:
      g_value_set_uint (value, self->n_unacked);
      break;
    case PROP_NEEDS_ATTENTION:
      g_value_set_boolean (value, self->n_unacked > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_alarms_page_class_init (DcAlarmsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  dc_ui_ensure_resources ();

  object_class->dispose = dc_alarms_page_dispose;
  object_class->finalize = dc_alarms_page_finalize;
  object_class->get_property = dc_alarms_page_get_property;

  properties[PROP_N_UNACKNOWLEDGED] =
    g_param_spec_uint ("n-unacknowledged", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEEDS_ATTENTION] =
    g_param_spec_boolean ("needs-attention", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/datacoll/DataColl/ui/dc-alarms-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DcAlarmsPage, active_stack);
  gtk_widget_class_bind_template_child (widget_class, DcAlarmsPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, DcAlarmsPage, active_list);
  gtk_widget_class_bind_template_child (widget_class, DcAlarmsPage, range_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DcAlarmsPage, journal_search);
  gtk_widget_class_bind_template_child (widget_class, DcAlarmsPage, journal_view);
  gtk_widget_class_bind_template_child (widget_class, DcAlarmsPage, unacked_label);

  gtk_widget_class_install_action (widget_class, "alarms.ack", "x", ack_action);
  gtk_widget_class_install_action (widget_class, "alarms.shelve", "x", shelve_action);
  gtk_widget_class_install_action (widget_class, "alarms.export-csv", NULL, export_csv_action);
  gtk_widget_class_install_action (widget_class, "alarms.ack-selected", NULL, ack_selected_action);
  gtk_widget_class_install_action (widget_class, "alarms.ack-all", NULL, ack_all_action);
}

static void
dc_alarms_page_init (DcAlarmsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->states = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  _dc_alarms_ack_init (self);
  _dc_alarms_attention_init (self);
  _dc_alarms_journal_init (self);
  refresh_active (self);
}

DcAlarmsPage *
dc_alarms_page_new (void)
{
  return g_object_new (DC_TYPE_ALARMS_PAGE, NULL);
}

void
dc_alarms_page_set_alarm (DcAlarmsPage *self,
                          DcAlarm      *alarm)
{
  g_return_if_fail (DC_IS_ALARMS_PAGE (self));
  g_return_if_fail (alarm == NULL || DC_IS_ALARM (alarm));

  if (self->alarm == alarm)
    return;
  if (self->alarm != NULL)
    g_signal_handlers_disconnect_by_func (self->alarm, alarm_changed_cb, self);
  g_set_object (&self->alarm, alarm);
  if (alarm != NULL)
    g_signal_connect_object (alarm, "changed", G_CALLBACK (alarm_changed_cb), self,
                             G_CONNECT_SWAPPED);
  seed_states (self);
  dc_alarms_page_refresh (self);
}

void
dc_alarms_page_set_source (DcAlarmsPage  *self,
                           DcPlantSource *source)
{
  g_return_if_fail (DC_IS_ALARMS_PAGE (self));
  g_return_if_fail (source == NULL || DC_IS_PLANT_SOURCE (source));

  if (self->source == source)
    return;
  if (self->source != NULL)
    g_signal_handlers_disconnect_by_func (self->source, alarm_changed_cb, self);
  g_set_object (&self->source, source);
  if (source != NULL)
    g_signal_connect_object (source, "alarm-changed", G_CALLBACK (alarm_changed_cb), self,
                             G_CONNECT_SWAPPED);
  seed_states (self);
  dc_alarms_page_refresh (self);
}

DcAlarm *
dc_alarms_page_get_alarm (DcAlarmsPage *self)
{
  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), NULL);
  return self->alarm;
}

void
dc_alarms_page_set_plant (DcAlarmsPage *self,
                          DcPlantModel *plant)
{
  g_return_if_fail (DC_IS_ALARMS_PAGE (self));

  if (self->plant == plant)
    return;
  _dc_alarms_update_badges (self, NULL);
  g_set_object (&self->plant, plant);
  queue_refresh (self);
}

guint
dc_alarms_page_get_n_unacknowledged (DcAlarmsPage *self)
{
  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), 0);
  return self->n_unacked;
}

void
dc_alarms_page_refresh (DcAlarmsPage *self)
{
  g_return_if_fail (DC_IS_ALARMS_PAGE (self));

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  refresh_active (self);
  _dc_alarms_journal_refresh (self);
}

GtkWidget *
dc_alarms_page_get_row (DcAlarmsPage *self,
                        gint64        id)
{
  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), NULL);
  return g_hash_table_lookup (self->rows, &id);
}

guint
dc_alarms_page_get_n_rows (DcAlarmsPage *self)
{
  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), 0);
  return g_hash_table_size (self->rows);
}

GtkWidget *
dc_alarms_page_get_nth_row (DcAlarmsPage *self,
                            guint         n)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), NULL);
  row = gtk_list_box_get_row_at_index (self->active_list, (int) n);
  return row ? GTK_WIDGET (row) : NULL;
}

void
dc_alarms_page_set_range (DcAlarmsPage  *self,
                          DcAlarmsRange  range)
{
  g_return_if_fail (DC_IS_ALARMS_PAGE (self));
  gtk_drop_down_set_selected (self->range_dropdown, range);
}

void
dc_alarms_page_set_filter (DcAlarmsPage *self,
                           const char   *text)
{
  g_return_if_fail (DC_IS_ALARMS_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->journal_search), text ? text : "");
  _dc_alarms_journal_set_filter (self, text);
}

GListModel *
dc_alarms_page_get_journal (DcAlarmsPage *self)
{
  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

JsonObject *
dc_alarms_page_get_journal_entry (DcAlarmsPage *self,
                                  guint         position)
{
  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), NULL);
  return _dc_alarms_journal_get_entry (self, position);
}

gboolean
dc_alarms_page_export_csv (DcAlarmsPage  *self,
                           GFile         *file,
                           GError       **error)
{
  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  return _dc_alarms_journal_export_csv (self, file, error);
}

guint
dc_alarms_page_get_n_notifications (DcAlarmsPage *self)
{
  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), 0);
  return self->n_notifications;
}

guint
dc_alarms_page_get_n_beeps (DcAlarmsPage *self)
{
  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), 0);
  return self->n_beeps;
}

gboolean
dc_alarms_page_is_flashing (DcAlarmsPage *self)
{
  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), FALSE);
  return self->flash_id != 0;
}

void
dc_alarms_page_set_narrow (DcAlarmsPage *self,
                           gboolean      narrow)
{
  g_return_if_fail (DC_IS_ALARMS_PAGE (self));

  if (self->narrow == !!narrow)
    return;
  self->narrow = !!narrow;
  refresh_active (self);
}
