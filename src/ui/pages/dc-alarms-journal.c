/* dc-alarms-journal.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarms-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dc-alarm-badge.h"
#include "dc-alarms-page-private.h"
#include "dc-number.h"

/* The journal half of the Alarms page (docs/ui-alarms.md, "Journal"): the entries of a time
 * range in a GtkColumnView, a text filter and CSV export of what the table shows. */

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
  entry->source = _dc_alarms_source_name (self, object);
  g_string_append (hay, entry->source);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *s = _dc_alarms_json_string (object, fields[i]);

      if (s != NULL)
        g_string_append_printf (hay, "\n%s", s);
    }
  {
    g_autofree char *words = _dc_alarms_describe (self, object);
    g_autofree char *value = _dc_alarms_format_value (self, object);
    g_autofree char *device = _dc_alarms_device_name (self, object);

    g_string_append_printf (hay, "\n%s\n%s\n%s", words ? words : "", value,
                            device ? device : "");
  }
  g_string_append_printf (hay, "\n%s\n%s",
                          dc_alarm_state_text (_dc_alarms_json_string (object, "state")),
                          dc_alarm_condition_text (_dc_alarms_json_string (object, "condition")));
  entry->haystack = g_utf8_casefold (hay->str, -1);
  return entry;
}

static void
fill_journal (DcAlarmsPage *self,
              JsonArray    *array)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  /* Newest first. */
  n = array ? json_array_get_length (array) : 0;
  for (guint i = n; i > 0; i--)
    g_ptr_array_add (entries, entry_new (self, json_array_get_object_element (array, i - 1)));
  g_list_store_splice (self->journal, 0, g_list_model_get_n_items (G_LIST_MODEL (self->journal)),
                       entries->pdata, entries->len);
}

static void
journal_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(DcAlarmsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) array = dc_plant_source_journal_finish (DC_PLANT_SOURCE (object), result,
                                                               &error);

  /* A server out of reach: the connection banner says so already. */
  if (error != NULL)
    g_debug ("alarm journal: %s", error->message);
  else if (self->journal != NULL)
    fill_journal (self, array);
}

void
_dc_alarms_journal_refresh (DcAlarmsPage *self)
{
  g_autoptr(JsonArray) array = NULL;
  g_autoptr(GError) error = NULL;
  gint64 from, to;

  range_bounds (self, &from, &to);
  if (self->alarm == NULL && self->source != NULL)
    {
      /* Through the plant connection (a remote desk reads the server's journal). */
      dc_plant_source_journal_async (self->source, from, to, NULL, journal_ready_cb,
                                     g_object_ref (self));
      return;
    }
  if (self->alarm != NULL)
    {
      array = dc_alarm_journal (self->alarm, from, to, 0, &error);
      if (error != NULL)
        g_warning ("alarm journal: %s", error->message);
    }
  fill_journal (self, array);
}

JsonObject *
_dc_alarms_journal_get_entry (DcAlarmsPage *self,
                              guint         position)
{
  g_autoptr(DcAlarmEntry) entry = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);

  return entry ? entry->object : NULL;
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
      !_dc_alarms_journal_export_csv (self, file, &error))
    _dc_alarms_report (self, error->message);
  g_object_unref (native);
}

void
_dc_alarms_journal_export_dialog (DcAlarmsPage *self)
{
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Export Alarm Journal"),
                                        GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), "alarm-journal.csv");
  g_signal_connect_object (native, "response", G_CALLBACK (export_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* Journal table. */

/* In words (docs/ui-alarms.md "Journal"): the point's and the device's names, the condition
 * ("above high limit 90 °C", "is open"), the alarm's state, the value with its decimals and
 * unit or its state text. */
typedef enum
{
  COL_TIME,
  COL_SOURCE,
  COL_DEVICE,
  COL_CONDITION,
  COL_STATE,
  COL_VALUE,
  COL_USER,
  COL_COMMENT,
} Column;

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  /* What a column needs at least (its words ellipsized, whole in the tooltip) and would like:
   * the page fits a 1200 px window without a horizontal scrollbar. */
  static const guint min_chars[] = { 8, 17, 10, 19, 21, 7, 7, 9 };
  static const guint nat_chars[] = { 19, 26, 16, 28, 22, 10, 10, 24 };
  GtkWidget *inscription = gtk_inscription_new (NULL);
  Column column = GPOINTER_TO_INT (user_data);

  gtk_inscription_set_min_chars (GTK_INSCRIPTION (inscription), min_chars[column]);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (inscription), nat_chars[column]);
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
      /* "14:02:11" today, else with the date, as the active list and the other pages. */
      text = _dc_alarms_format_time (_dc_alarms_json_string (entry->object, "time"), FALSE);
      break;
    case COL_SOURCE:
      text = g_strdup (entry->source);
      break;
    case COL_DEVICE:
      text = _dc_alarms_device_name (self, entry->object);
      break;
    case COL_CONDITION:
      text = _dc_alarms_condition_words (self, entry->object);
      break;
    case COL_STATE:
      text = g_strdup (dc_alarm_state_text (_dc_alarms_json_string (entry->object, "state")));
      break;
    case COL_VALUE:
      text = _dc_alarms_format_value (self, entry->object);
      break;
    case COL_USER:
      text = g_strdup (_dc_alarms_json_string (entry->object, "user"));
      break;
    case COL_COMMENT:
    default:
      text = g_strdup (_dc_alarms_json_string (entry->object, "comment"));
      break;
    }
  gtk_inscription_set_text (inscription, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (inscription),
                               column != COL_VALUE && column != COL_TIME &&
                               text != NULL && text[0] ? text : NULL);
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

void
_dc_alarms_journal_set_filter (DcAlarmsPage *self,
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
  _dc_alarms_journal_set_filter (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
range_changed_cb (DcAlarmsPage *self)
{
  _dc_alarms_journal_refresh (self);
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

gboolean
_dc_alarms_journal_export_csv (DcAlarmsPage  *self,
                               GFile         *file,
                               GError       **error)
{
  static const char * const fields[] = { "condition", "device_id", "term_id", "item_id", "state" };
  static const char * const tail[] = { "user", "comment", "text" };
  g_autoptr(GString) out = NULL;
  GListModel *model;
  guint n;

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

      csv_field (out, _dc_alarms_json_string (o, "time"));
      g_string_append_printf (out, ",%" G_GINT64_FORMAT,
                              json_object_get_int_member_with_default (o, "alarm_id", 0));
      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          g_string_append_c (out, ',');
          csv_field (out, _dc_alarms_json_string (o, fields[f]));
        }
      g_string_append_c (out, ',');
      if (json_object_has_member (o, "value") && !json_object_get_null_member (o, "value"))
        {
          value = json_object_get_double_member (o, "value");
          dc_number_append (out, value);
        }
      for (guint f = 0; f < G_N_ELEMENTS (tail); f++)
        {
          g_string_append_c (out, ',');
          csv_field (out, _dc_alarms_json_string (o, tail[f]));
        }
      g_string_append_c (out, '\n');
    }

  return g_file_replace_contents (file, out->str, out->len, NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

void
_dc_alarms_journal_init (DcAlarmsPage *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  self->journal = g_list_store_new (DC_TYPE_ALARM_ENTRY);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->journal)),
                                              GTK_FILTER (self->filter));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_column_view_set_model (self->journal_view, GTK_SELECTION_MODEL (selection));

  add_column (self, _("Time"), COL_TIME, FALSE);
  add_column (self, _("Point"), COL_SOURCE, TRUE);
  add_column (self, _("Device"), COL_DEVICE, FALSE);
  add_column (self, _("Condition"), COL_CONDITION, TRUE);
  add_column (self, _("State"), COL_STATE, FALSE);
  add_column (self, _("Value"), COL_VALUE, FALSE);
  add_column (self, _("User"), COL_USER, FALSE);
  add_column (self, _("Comment"), COL_COMMENT, FALSE);

  g_signal_connect_object (self->journal_search, "search-changed",
                           G_CALLBACK (search_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->range_dropdown, "notify::selected",
                           G_CALLBACK (range_changed_cb), self, G_CONNECT_SWAPPED);
}
