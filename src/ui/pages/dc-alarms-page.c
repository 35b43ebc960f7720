/* dc-alarms-page.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarms-page"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "dc-alarms-page.h"
#include "dc-alarm-badge.h"
#include "dc-time.h"
#include "dc-ui.h"

/* One journal entry (a JSON object of dc_alarm_journal()) in the journal's list model. */
#define DC_TYPE_ALARM_ENTRY (dc_alarm_entry_get_type ())
G_DECLARE_FINAL_TYPE (DcAlarmEntry, dc_alarm_entry, DC, ALARM_ENTRY, GObject)

struct _DcAlarmEntry
{
  GObject     parent_instance;

  JsonObject *object;
  char       *source;     /* point or device name */
  char       *haystack;   /* lower-case text the filter searches */
};

G_DEFINE_FINAL_TYPE (DcAlarmEntry, dc_alarm_entry, G_TYPE_OBJECT)

static void
dc_alarm_entry_finalize (GObject *object)
{
  DcAlarmEntry *self = DC_ALARM_ENTRY (object);

  g_clear_pointer (&self->object, json_object_unref);
  g_free (self->source);
  g_free (self->haystack);

  G_OBJECT_CLASS (dc_alarm_entry_parent_class)->finalize (object);
}

static void
dc_alarm_entry_class_init (DcAlarmEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dc_alarm_entry_finalize;
}

static void
dc_alarm_entry_init (DcAlarmEntry *self)
{
}

struct _DcAlarmsPage
{
  AdwBin          parent_instance;

  /* Template children */
  GtkStack       *active_stack;
  AdwStatusPage  *status_page;
  GtkListBox     *active_list;
  GtkDropDown    *range_dropdown;
  GtkSearchEntry *journal_search;
  GtkColumnView  *journal_view;

  /* Owned */
  DcAlarm        *alarm;
  DcPlantModel   *plant;
  GListStore     *journal;
  GtkFilterListModel *filtered;
  GtkCustomFilter *filter;
  GHashTable     *states;      /* alarm id → last DcAlarmState seen (for notifications) */
  GHashTable     *rows;        /* alarm id → GtkWidget row (borrowed from the list) */
  GPtrArray      *badged;      /* DcPointRow and DcDeviceNode that carry an alarm badge */
  char           *filter_text;
  guint           refresh_id;
  guint           n_unacked;
  guint           n_notifications;
};

enum {
  PROP_0,
  PROP_N_UNACKNOWLEDGED,
  PROP_NEEDS_ATTENTION,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (DcAlarmsPage, dc_alarms_page, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

static const char *
json_string (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
json_double (JsonObject *object,
             const char *name,
             double     *value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  *value = json_node_get_double (node);
  return isfinite (*value);
}

/* "14:02:11" today, else "2026-11-25 14:02:11", in local time. */
static char *
format_time (const char *rfc3339,
             gboolean    always_date)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) now = NULL;
  gint64 us;

  if (rfc3339 == NULL || !dc_time_parse (rfc3339, &us))
    return g_strdup ("—");
  dt = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);
  now = g_date_time_new_now_local ();
  if (dt == NULL || now == NULL)
    return g_strdup ("—");
  if (!always_date &&
      g_date_time_get_year (dt) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (dt) == g_date_time_get_day_of_year (now))
    return g_date_time_format (dt, "%H:%M:%S");
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

static char *
source_name (DcAlarmsPage *self,
             JsonObject   *object)
{
  const char *device_id = json_string (object, "device_id");
  const char *term_id = json_string (object, "term_id");
  const char *item_id = json_string (object, "item_id");

  if (term_id != NULL && item_id != NULL)
    {
      DcPointRow *row = self->plant ? dc_plant_model_lookup_point_id (self->plant, term_id, item_id)
                                    : NULL;

      if (row != NULL && dc_point_row_get_name (row) != NULL)
        return g_strdup (dc_point_row_get_name (row));
      return g_strdup_printf ("%s / %s", term_id, item_id);
    }
  if (device_id != NULL)
    {
      DcDeviceNode *node = self->plant ? dc_plant_model_lookup_device (self->plant, device_id)
                                       : NULL;

      if (node != NULL && dc_device_node_get_name (node) != NULL)
        return g_strdup (dc_device_node_get_name (node));
      return g_strdup (device_id);
    }
  return g_strdup ("—");
}

static char *
format_value (DcAlarmsPage *self,
              JsonObject   *object)
{
  const char *term_id = json_string (object, "term_id");
  const char *item_id = json_string (object, "item_id");
  DcPointRow *row = NULL;
  const char *unit = NULL;
  double value;

  if (!json_double (object, "value", &value))
    return g_strdup ("—");
  if (self->plant != NULL && term_id != NULL && item_id != NULL)
    row = dc_plant_model_lookup_point_id (self->plant, term_id, item_id);
  if (row != NULL)
    unit = dc_point_row_get_unit (row);
  if (unit != NULL && unit[0] != '\0')
    return g_strdup_printf ("%.6g %s", value, unit);
  return g_strdup_printf ("%.6g", value);
}

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

static GtkWidget *
create_active_row (DcAlarmsPage *self,
                   JsonObject   *object)
{
  const char *state = json_string (object, "state");
  const char *priority = json_string (object, "priority");
  const char *condition = json_string (object, "condition");
  const char *text = json_string (object, "text");
  const char *ack_user = json_string (object, "ack_user");
  const char *ack_comment = json_string (object, "ack_comment");
  gint64 id = json_object_get_int_member_with_default (object, "id", 0);
  g_autofree char *source = source_name (self, object);
  g_autofree char *title = NULL;
  g_autofree char *since = NULL;
  g_autofree char *value = format_value (self, object);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  GtkWidget *row;
  GtkWidget *icon;
  GtkWidget *label;
  GtkWidget *ack;
  GtkWidget *shelve;
  gboolean unacked = g_strcmp0 (state, "active_unacknowledged") == 0 ||
                     g_strcmp0 (state, "cleared_unacknowledged") == 0;

  /* Translators: "<point or device> — <condition>", e.g. "Tank level — Low limit". */
  title = g_strdup_printf (_("%s — %s"), source, dc_alarm_condition_text (condition));
  since = format_time (json_string (object, "active_since") ? json_string (object, "active_since")
                                                            : json_string (object, "since"),
                       FALSE);
  /* Translators: alarm row subtitle: state, time and value. */
  g_string_append_printf (subtitle, _("%s since %s, value %s"),
                          dc_alarm_state_text (state), since, value);
  if (text != NULL && text[0] != '\0')
    g_string_append_printf (subtitle, " · %s", text);
  if (ack_user != NULL)
    {
      g_string_append (subtitle, " · ");
      if (ack_comment != NULL && ack_comment[0] != '\0')
        /* Translators: who acknowledged the alarm and their comment. */
        g_string_append_printf (subtitle, _("acknowledged by %s: %s"), ack_user, ack_comment);
      else
        g_string_append_printf (subtitle, _("acknowledged by %s"), ack_user);
    }

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  if (unacked)
    gtk_widget_add_css_class (row, "alarm-unacknowledged");

  /* Priority: icon, colour and the word, never colour alone. */
  icon = dc_alarm_badge_new_icon (priority);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  label = gtk_label_new (dc_alarm_priority_text (priority));
  gtk_widget_set_size_request (label, 64, -1);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, dc_alarm_priority_css_class (priority));
  gtk_widget_add_css_class (label, "caption-heading");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), label);

  ack = gtk_button_new_with_mnemonic (_("_Acknowledge…"));
  gtk_widget_set_name (ack, "ack");
  gtk_widget_set_valign (ack, GTK_ALIGN_CENTER);
  /* The action would make the button sensitive: only alarms waiting for an ack get it. */
  if (unacked)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (ack), "alarms.ack");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (ack), "x", id);
      gtk_widget_add_css_class (ack, "suggested-action");
    }
  else
    gtk_widget_set_sensitive (ack, FALSE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), ack);

  shelve = gtk_button_new_with_mnemonic (_("_Shelve…"));
  gtk_widget_set_name (shelve, "shelve");
  gtk_widget_set_valign (shelve, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (shelve), "alarms.shelve");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (shelve), "x", id);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), shelve);

  return row;
}

static const char * const priority_names[] = { "low", "medium", "high", "critical" };

/* Badges on points and devices (tree and table): the highest priority of a point's listed
 * alarms; per device the number of its listed alarms (comm and points) and their highest
 * priority. Objects that lose their last alarm are cleared. */
static void
update_badges (DcAlarmsPage *self,
               JsonArray    *list)
{
  g_autoptr(GHashTable) points = g_hash_table_new (NULL, NULL);   /* row → rank + 1 */
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);   /* node → n */
  g_autoptr(GHashTable) ranks = g_hash_table_new (NULL, NULL);    /* node → rank + 1 */
  g_autoptr(GPtrArray) badged = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; self->plant != NULL && list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *object = json_array_get_object_element (list, i);
      const char *term_id = json_string (object, "term_id");
      const char *item_id = json_string (object, "item_id");
      const char *device_id = json_string (object, "device_id");
      int rank = dc_alarm_priority_rank (json_string (object, "priority")) + 1;
      DcDeviceNode *node = device_id ? dc_plant_model_lookup_device (self->plant, device_id) : NULL;

      if (term_id != NULL && item_id != NULL)
        {
          DcPointRow *row = dc_plant_model_lookup_point_id (self->plant, term_id, item_id);

          if (row != NULL && rank > GPOINTER_TO_INT (g_hash_table_lookup (points, row)))
            g_hash_table_insert (points, row, GINT_TO_POINTER (rank));
        }
      if (node != NULL)
        {
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, node));

          g_hash_table_insert (counts, node, GUINT_TO_POINTER (n + 1));
          if (rank > GPOINTER_TO_INT (g_hash_table_lookup (ranks, node)))
            g_hash_table_insert (ranks, node, GINT_TO_POINTER (rank));
        }
    }

  g_hash_table_iter_init (&iter, points);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      int rank = GPOINTER_TO_INT (value);

      dc_point_row_set_alarm_priority (key, rank > 0 ? priority_names[rank - 1] : "medium");
      g_ptr_array_add (badged, g_object_ref (key));
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      int rank = GPOINTER_TO_INT (g_hash_table_lookup (ranks, key));

      dc_device_node_set_alarms (key, GPOINTER_TO_UINT (value),
                                 rank > 0 ? priority_names[rank - 1] : "medium");
      g_ptr_array_add (badged, g_object_ref (key));
    }
  for (guint i = 0; self->badged != NULL && i < self->badged->len; i++)
    {
      gpointer object = g_ptr_array_index (self->badged, i);

      if (DC_IS_POINT_ROW (object) && !g_hash_table_contains (points, object))
        dc_point_row_set_alarm_priority (object, NULL);
      else if (DC_IS_DEVICE_NODE (object) && !g_hash_table_contains (counts, object))
        dc_device_node_set_alarms (object, 0, NULL);
    }
  g_clear_pointer (&self->badged, g_ptr_array_unref);
  self->badged = g_steal_pointer (&badged);
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

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->active_list))) != NULL)
    gtk_list_box_remove (self->active_list, child);
  g_hash_table_remove_all (self->rows);

  if (self->alarm == NULL)
    {
      adw_status_page_set_title (self->status_page, _("Alarms Are Off"));
      adw_status_page_set_description (self->status_page,
                                       _("The alarm plugin is switched off in the configuration."));
      gtk_stack_set_visible_child_name (self->active_stack, "none");
      update_unacked (self, 0);
      update_badges (self, NULL);
      return;
    }

  list = dc_alarm_list (self->alarm, FALSE);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *object = json_array_get_object_element (list, i);
      const char *state = json_string (object, "state");
      GtkWidget *row = create_active_row (self, object);

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
  update_badges (self, list);

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

static void
range_bounds (DcAlarmsPage *self,
              gint64       *from,
              gint64       *to)
{
  static const gint64 spans[] = { 3600, 24 * 3600, 7 * 24 * 3600 };
  guint selected = gtk_drop_down_get_selected (self->range_dropdown);

  *to = G_MAXINT64;
  if (selected < G_N_ELEMENTS (spans))
    *from = g_get_real_time () - spans[selected] * G_USEC_PER_SEC;
  else
    *from = 0;
}

static DcAlarmEntry *
entry_new (DcAlarmsPage *self,
           JsonObject   *object)
{
  DcAlarmEntry *entry = g_object_new (DC_TYPE_ALARM_ENTRY, NULL);
  const char *fields[] = { "condition", "device_id", "term_id", "item_id", "user", "comment",
                           "text" };
  g_autoptr(GString) hay = g_string_new (NULL);
  g_autofree char *lower = NULL;

  entry->object = json_object_ref (object);
  entry->source = source_name (self, object);
  g_string_append (hay, entry->source);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *s = json_string (object, fields[i]);

      if (s != NULL)
        g_string_append_printf (hay, "\n%s", s);
    }
  g_string_append_printf (hay, "\n%s\n%s",
                          dc_alarm_state_text (json_string (object, "state")),
                          dc_alarm_condition_text (json_string (object, "condition")));
  entry->haystack = g_utf8_casefold (hay->str, -1);
  return entry;
}

static void
refresh_journal (DcAlarmsPage *self)
{
  g_autoptr(JsonArray) array = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  gint64 from, to;
  guint n;

  if (self->alarm != NULL)
    {
      range_bounds (self, &from, &to);
      array = dc_alarm_journal (self->alarm, from, to, 0, &error);
      if (error != NULL)
        g_warning ("alarm journal: %s", error->message);
    }

  /* Newest first. */
  n = array ? json_array_get_length (array) : 0;
  for (guint i = n; i > 0; i--)
    g_ptr_array_add (entries, entry_new (self, json_array_get_object_element (array, i - 1)));
  g_list_store_splice (self->journal, 0, g_list_model_get_n_items (G_LIST_MODEL (self->journal)),
                       entries->pdata, entries->len);
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

/* A toast in the window (its win.toast action), a warning without one. */
static void
report (DcAlarmsPage *self,
        const char   *message)
{
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message))
    g_warning ("%s", message);
}

static void
maybe_notify (DcAlarmsPage *self,
              JsonObject   *object)
{
  const char *priority = json_string (object, "priority");
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

  source = source_name (self, object);
  value = format_value (self, object);
  title = critical ? g_strdup_printf (_("Critical alarm: %s"), source)
                   : g_strdup_printf (_("High alarm: %s"), source);
  /* Translators: notification body: condition, value and the alarm's text. */
  body = g_strdup_printf (_("%s, value %s. %s"),
                          dc_alarm_condition_text (json_string (object, "condition")), value,
                          json_string (object, "text") ? json_string (object, "text") : "");
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

static void
alarm_changed_cb (DcAlarmsPage *self,
                  JsonObject   *object,
                  DcAlarm      *alarm)
{
  gint64 id = json_object_get_int_member_with_default (object, "id", 0);
  const char *state = json_string (object, "state");
  gpointer previous = g_hash_table_lookup (self->states, &id);
  gboolean is_new = g_strcmp0 (state, "active_unacknowledged") == 0 &&
                    (previous == NULL || g_strcmp0 (previous, "active_unacknowledged") != 0);

  g_hash_table_insert (self->states, g_memdup2 (&id, sizeof id), g_strdup (state ? state : ""));
  if (is_new)
    maybe_notify (self, object);
  queue_refresh (self);
}

static void
seed_states (DcAlarmsPage *self)
{
  g_autoptr(JsonArray) all = NULL;

  g_hash_table_remove_all (self->states);
  if (self->alarm == NULL)
    return;
  all = dc_alarm_list (self->alarm, TRUE);
  for (guint i = 0; i < json_array_get_length (all); i++)
    {
      JsonObject *object = json_array_get_object_element (all, i);
      gint64 id = json_object_get_int_member_with_default (object, "id", 0);

      g_hash_table_insert (self->states, g_memdup2 (&id, sizeof id),
                           g_strdup (json_string (object, "state")));
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
dialog_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    DialogData       *data)
{
  static const gint64 durations[] = { 15 * 60, 3600, 8 * 3600, 24 * 3600 };
  DcAlarmsPage *self = data->self;
  g_autoptr(GError) error = NULL;
  const char *comment = gtk_editable_get_text (data->comment);
  const char *user = g_get_user_name ();

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
    report (self, error->message);
  dc_alarms_page_refresh (self);
}

static void
open_dialog (DcAlarmsPage *self,
             gint64        id,
             gboolean      shelve)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *source = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *box;
  GtkWidget *entry;
  DialogData *data;

  if (self->alarm == NULL)
    return;
  object = dc_alarm_get (self->alarm, id, &error);
  if (object == NULL)
    {
      report (self, error->message);
      return;
    }

  source = source_name (self, object);
  /* Translators: "<point> — <condition>" in the acknowledge and shelve dialogs. */
  body = g_strdup_printf (_("%s — %s"), source,
                          dc_alarm_condition_text (json_string (object, "condition")));
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
export_response_cb (DcAlarmsPage         *self,
                    int                   response,
                    GtkFileChooserNative *native)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native))) != NULL &&
      !dc_alarms_page_export_csv (self, file, &error))
    report (self, error->message);
  g_object_unref (native);
}

static void
export_csv_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  DcAlarmsPage *self = DC_ALARMS_PAGE (widget);
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Export Alarm Journal"),
                                        GTK_WINDOW (gtk_widget_get_root (widget)),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), "alarm-journal.csv");
  g_signal_connect_object (native, "response", G_CALLBACK (export_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* Journal table. */

typedef enum
{
  COL_TIME,
  COL_SOURCE,
  COL_CONDITION,
  COL_STATE,
  COL_VALUE,
  COL_USER,
  COL_COMMENT,
  COL_TEXT,
} Column;

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  static const guint min_chars[] = { 19, 16, 14, 22, 8, 8, 12, 12 };
  GtkWidget *inscription = gtk_inscription_new (NULL);
  Column column = GPOINTER_TO_INT (user_data);

  gtk_inscription_set_min_chars (GTK_INSCRIPTION (inscription), min_chars[column]);
  if (column == COL_TIME || column == COL_VALUE)
    gtk_widget_add_css_class (inscription, "numeric");
  if (column == COL_VALUE)
    gtk_inscription_set_xalign (GTK_INSCRIPTION (inscription), 1);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (inscription),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_list_item_set_child (item, inscription);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  DcAlarmEntry *entry = gtk_list_item_get_item (item);
  GtkInscription *inscription = GTK_INSCRIPTION (gtk_list_item_get_child (item));
  DcAlarmsPage *self = g_object_get_data (G_OBJECT (factory), "dc-page");
  Column column = GPOINTER_TO_INT (user_data);
  g_autofree char *text = NULL;

  switch (column)
    {
    case COL_TIME:
      text = format_time (json_string (entry->object, "time"), TRUE);
      break;
    case COL_SOURCE:
      text = g_strdup (entry->source);
      break;
    case COL_CONDITION:
      text = g_strdup (dc_alarm_condition_text (json_string (entry->object, "condition")));
      break;
    case COL_STATE:
      text = g_strdup (dc_alarm_state_text (json_string (entry->object, "state")));
      break;
    case COL_VALUE:
      text = format_value (self, entry->object);
      break;
    case COL_USER:
      text = g_strdup (json_string (entry->object, "user"));
      break;
    case COL_COMMENT:
      text = g_strdup (json_string (entry->object, "comment"));
      break;
    case COL_TEXT:
    default:
      text = g_strdup (json_string (entry->object, "text"));
      break;
    }
  gtk_inscription_set_text (inscription, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (inscription),
                               column >= COL_USER && text != NULL && text[0] ? text : NULL);
}

static void
add_column (DcAlarmsPage *self,
            const char   *title,
            Column        column,
            gboolean      expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;

  g_object_set_data (G_OBJECT (factory), "dc-page", self);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_append_column (self->journal_view, col);
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  DcAlarmsPage *self = user_data;
  DcAlarmEntry *entry = item;

  return self->filter_text == NULL || strstr (entry->haystack, self->filter_text) != NULL;
}

static void
apply_filter (DcAlarmsPage *self,
              const char   *text)
{
  g_autofree char *folded = text && text[0] ? g_utf8_casefold (text, -1) : NULL;

  if (g_strcmp0 (folded, self->filter_text) == 0)
    return;
  g_free (self->filter_text);
  self->filter_text = g_steal_pointer (&folded);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
search_changed_cb (DcAlarmsPage   *self,
                   GtkSearchEntry *entry)
{
  apply_filter (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
range_changed_cb (DcAlarmsPage *self)
{
  refresh_journal (self);
}

static void
csv_field (GString    *out,
           const char *text)
{
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\n\r") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
dc_alarms_page_dispose (GObject *object)
{
  DcAlarmsPage *self = DC_ALARMS_PAGE (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->alarm != NULL)
    g_signal_handlers_disconnect_by_func (self->alarm, alarm_changed_cb, self);
  g_clear_object (&self->alarm);
  g_clear_pointer (&self->badged, g_ptr_array_unref);
  g_clear_object (&self->plant);
  gtk_widget_dispose_template (GTK_WIDGET (self), DC_TYPE_ALARMS_PAGE);
  g_clear_object (&self->filtered);
  g_clear_object (&self->journal);
  g_clear_pointer (&self->states, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_hash_table_unref);

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

  gtk_widget_class_install_action (widget_class, "alarms.ack", "x", ack_action);
  gtk_widget_class_install_action (widget_class, "alarms.shelve", "x", shelve_action);
  gtk_widget_class_install_action (widget_class, "alarms.export-csv", NULL, export_csv_action);
}

static void
dc_alarms_page_init (DcAlarmsPage *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->states = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->journal = g_list_store_new (DC_TYPE_ALARM_ENTRY);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->journal)),
                                              GTK_FILTER (self->filter));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_column_view_set_model (self->journal_view, GTK_SELECTION_MODEL (selection));

  add_column (self, _("Time"), COL_TIME, FALSE);
  add_column (self, _("Point"), COL_SOURCE, TRUE);
  add_column (self, _("Condition"), COL_CONDITION, FALSE);
  add_column (self, _("State"), COL_STATE, FALSE);
  add_column (self, _("Value"), COL_VALUE, FALSE);
  add_column (self, _("User"), COL_USER, FALSE);
  add_column (self, _("Comment"), COL_COMMENT, TRUE);
  add_column (self, _("Text"), COL_TEXT, TRUE);

  g_signal_connect_object (self->journal_search, "search-changed",
                           G_CALLBACK (search_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->range_dropdown, "notify::selected",
                           G_CALLBACK (range_changed_cb), self, G_CONNECT_SWAPPED);
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
  update_badges (self, NULL);
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
  refresh_journal (self);
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
  apply_filter (self, text);
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
  g_autoptr(DcAlarmEntry) entry = NULL;

  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), NULL);
  entry = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
  return entry ? entry->object : NULL;
}

gboolean
dc_alarms_page_export_csv (DcAlarmsPage  *self,
                           GFile         *file,
                           GError       **error)
{
  static const char * const fields[] = { "condition", "device_id", "term_id", "item_id", "state" };
  static const char * const tail[] = { "user", "comment", "text" };
  g_autoptr(GString) out = NULL;
  GListModel *model;
  guint n;

  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  /* The header and formats of dc_alarm_journal_csv() (GET /api/v1/alarms/journal?format=csv),
   * over the rows the page shows, oldest first. */
  out = g_string_new ("time,alarm_id,condition,device_id,term_id,item_id,state,value,"
                      "user,comment,text\n");
  model = G_LIST_MODEL (self->filtered);
  n = g_list_model_get_n_items (model);
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(DcAlarmEntry) entry = g_list_model_get_item (model, i - 1);
      JsonObject *o = entry->object;
      double value;

      csv_field (out, json_string (o, "time"));
      g_string_append_printf (out, ",%" G_GINT64_FORMAT,
                              json_object_get_int_member_with_default (o, "alarm_id", 0));
      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          g_string_append_c (out, ',');
          csv_field (out, json_string (o, fields[f]));
        }
      g_string_append_c (out, ',');
      if (json_object_has_member (o, "value") && !json_object_get_null_member (o, "value"))
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          value = json_object_get_double_member (o, "value");
          g_string_append (out, g_ascii_dtostr (buf, sizeof buf, value));
        }
      for (guint f = 0; f < G_N_ELEMENTS (tail); f++)
        {
          g_string_append_c (out, ',');
          csv_field (out, json_string (o, tail[f]));
        }
      g_string_append_c (out, '\n');
    }

  return g_file_replace_contents (file, out->str, out->len, NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

guint
dc_alarms_page_get_n_notifications (DcAlarmsPage *self)
{
  g_return_val_if_fail (DC_IS_ALARMS_PAGE (self), 0);
  return self->n_notifications;
}
