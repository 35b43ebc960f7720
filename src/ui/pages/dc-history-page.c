/* dc-history-page.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history-page"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "dc-csv-field.h"
#include "dc-error.h"
#include "dc-history-page.h"
#include "dc-number.h"
#include "dc-plant-source-samples.h"
#include "dc-quality.h"
#include "dc-time.h"
#include "dc-trend-view.h"

/* One sample as the page shows it. */
#define DC_TYPE_HISTORY_ITEM (dc_history_item_get_type ())
G_DECLARE_FINAL_TYPE (DcHistoryItem, dc_history_item, DC, HISTORY_ITEM, GObject)

struct _DcHistoryItem
{
  GObject  parent_instance;
  DcSample sample;
  char    *texts[DC_HISTORY_N_COLUMNS];
};

G_DEFINE_FINAL_TYPE (DcHistoryItem, dc_history_item, G_TYPE_OBJECT)

static void
dc_history_item_finalize (GObject *object)
{
  DcHistoryItem *self = DC_HISTORY_ITEM (object);

  for (guint i = 0; i < DC_HISTORY_N_COLUMNS; i++)
    g_free (self->texts[i]);
  G_OBJECT_CLASS (dc_history_item_parent_class)->finalize (object);
}

static void
dc_history_item_class_init (DcHistoryItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dc_history_item_finalize;
}

static void
dc_history_item_init (DcHistoryItem *self)
{
}

/* "2026-12-06 21:04:05.123", local time. */
static char *
format_local_time (gint64 time_us)
{
  g_autoptr(GDateTime) second = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);
  g_autofree char *text = NULL;

  if (second == NULL)
    return g_strdup ("");
  text = g_date_time_format (second, "%Y-%m-%d %H:%M:%S");
  return g_strdup_printf ("%s.%03d", text, (int) ((time_us % G_USEC_PER_SEC) / 1000));
}

static DcHistoryItem *
item_new (DcPointRow     *row,
          const DcSample *sample)
{
  DcHistoryItem *item = g_object_new (DC_TYPE_HISTORY_ITEM, NULL);
  const char *unit = dc_point_row_get_unit (row);
  char buf[DC_NUMBER_BUF_SIZE];

  item->sample = *sample;
  item->texts[DC_HISTORY_COLUMN_TIME] = format_local_time (sample->time);
  if (!isfinite (sample->value))
    item->texts[DC_HISTORY_COLUMN_VALUE] = g_strdup (_("no value"));
  else if (unit != NULL && unit[0] != '\0')
    item->texts[DC_HISTORY_COLUMN_VALUE] =
      g_strdup_printf ("%s %s", dc_number_format_buf (buf, sizeof buf, sample->value, -1), unit);
  else
    item->texts[DC_HISTORY_COLUMN_VALUE] = dc_number_format (sample->value, -1);
  /* The state in words for a state point (docs/model.md "State texts"). */
  item->texts[DC_HISTORY_COLUMN_STATE] = dc_point_row_is_state (row) && isfinite (sample->value)
                                         ? dc_point_row_format_value (row, sample->value)
                                         : g_strdup ("");
  item->texts[DC_HISTORY_COLUMN_QUALITY] = dc_quality_to_text (sample->quality);
  if (item->texts[DC_HISTORY_COLUMN_QUALITY][0] == '\0')
    {
      g_free (item->texts[DC_HISTORY_COLUMN_QUALITY]);
      item->texts[DC_HISTORY_COLUMN_QUALITY] = g_strdup (_("good"));
    }
  return item;
}

struct _DcHistoryPage
{
  GtkWidget      parent_instance;

  GtkLabel      *title;
  GtkLabel      *page_label;
  GtkWidget     *newer_button;
  GtkWidget     *older_button;
  GtkWidget     *newest_button;
  GtkWidget     *export_button;
  GtkStack      *stack;
  AdwStatusPage *status;
  GtkColumnView *column_view;
  GListStore    *store;

  DcPlantSource *source;
  DcPointRow    *row;
  guint          page_size;
  gint64         to;          /* the window of the page shown: [-inf, to) */
  GArray        *newer_tos;   /* gint64: the windows of the newer pages */
  gboolean       has_older;
  GCancellable  *query;
  guint          refresh_id;  /* the newest page reads again after a live value */
};

G_DEFINE_FINAL_TYPE (DcHistoryPage, dc_history_page, GTK_TYPE_WIDGET)

static void
update_controls (DcHistoryPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  gboolean loading = self->query != NULL;

  gtk_label_set_label (self->title, self->row ? dc_point_row_get_name (self->row) : "");
  gtk_widget_set_sensitive (self->newer_button, !loading && self->newer_tos->len > 0);
  gtk_widget_set_sensitive (self->newest_button, !loading && self->newer_tos->len > 0);
  gtk_widget_set_sensitive (self->older_button, !loading && self->has_older && n > 0);
  gtk_widget_set_sensitive (self->export_button, n > 0);

  if (n > 0)
    {
      g_autofree char *label = NULL;

      /* Translators: page number, then the number of samples on it. */
      label = g_strdup_printf (ngettext ("Page %u · %u sample", "Page %u · %u samples", n),
                               self->newer_tos->len + 1, n);
      gtk_label_set_label (self->page_label, label);
      gtk_stack_set_visible_child_name (self->stack, "samples");
    }
  else
    {
      gtk_label_set_label (self->page_label, "");
      adw_status_page_set_title (self->status, self->row == NULL ? _("No point selected")
                                               : loading ? _("Reading the history…")
                                               : _("No samples"));
      adw_status_page_set_description (self->status, self->row == NULL
                                       ? _("Select a point to see its stored samples")
                                       : NULL);
      gtk_stack_set_visible_child_name (self->stack, "status");
    }
}

static void
samples_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(DcHistoryPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) samples = NULL;
  gboolean truncated = FALSE;

  samples = dc_plant_source_samples_finish (DC_PLANT_SOURCE (object), result, &truncated, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->query);
  g_list_store_remove_all (self->store);
  if (samples == NULL)
    {
      g_debug ("history query failed: %s", error->message);
      self->has_older = FALSE;
      update_controls (self);
      return;
    }
  if (self->row != NULL)
    {
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      /* Newest first. */
      for (guint i = samples->len; i > 0; i--)
        g_ptr_array_add (items, item_new (self->row, &g_array_index (samples, DcSample, i - 1)));
      g_list_store_splice (self->store, 0, 0, items->pdata, items->len);
    }
  self->has_older = truncated;
  update_controls (self);
}

static void
load (DcHistoryPage *self)
{
  if (self->query != NULL)
    g_cancellable_cancel (self->query);
  g_clear_object (&self->query);
  g_list_store_remove_all (self->store);
  self->has_older = FALSE;
  if (self->row != NULL && self->source != NULL)
    {
      self->query = g_cancellable_new ();
      dc_plant_source_samples_async (self->source, self->row, G_MININT64, self->to,
                                     self->page_size, self->query, samples_ready_cb,
                                     g_object_ref (self));
    }
  update_controls (self);
}

static void
export_response_cb (DcHistoryPage        *self,
                    int                   response,
                    GtkFileChooserNative *native)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *csv = dc_history_page_to_csv (self);
      g_autoptr(GError) error = NULL;
      g_autofree char *message = NULL;

      if (!g_file_replace_contents (file, csv, strlen (csv), NULL, FALSE,
                                    G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, &error))
        message = g_strdup_printf (_("Could not export: %s"), error->message);
      else
        message = g_strdup (_("History exported"));
      gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
    }
  g_object_unref (native);
}

static void
export_clicked_cb (DcHistoryPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *native;
  g_autofree char *name = NULL;

  native = gtk_file_chooser_native_new (_("Export History"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  name = g_strdup_printf ("%s-history.csv", self->row ? dc_point_row_get_item_id (self->row) : "point");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  g_signal_connect_swapped (native, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  column)
{
  /* Wide enough for a whole time, a value with its unit, a state, a quality. */
  static const guint min_chars[DC_HISTORY_N_COLUMNS] = { 24, 12, 12, 16 };
  GtkWidget *cell = gtk_inscription_new (NULL);

  gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), min_chars[GPOINTER_TO_UINT (column)]);
  gtk_list_item_set_child (item, cell);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  column)
{
  DcHistoryItem *sample = gtk_list_item_get_item (item);

  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (item)),
                            sample->texts[GPOINTER_TO_UINT (column)]);
}

static void
add_column (DcHistoryPage   *self,
            const char      *title,
            DcHistoryColumn  column,
            gboolean         expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *c;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GUINT_TO_POINTER (column));
  c = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (c, TRUE);
  gtk_column_view_column_set_expand (c, expand);
  gtk_column_view_append_column (self->column_view, c);
  g_object_unref (c);
}

static GtkWidget *
text_button (const char *label,
             const char *tooltip)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_tooltip_text (button, tooltip);
  return button;
}

static void
dc_history_page_dispose (GObject *object)
{
  DcHistoryPage *self = DC_HISTORY_PAGE (object);
  GtkWidget *child;

  if (self->query != NULL)
    g_cancellable_cancel (self->query);
  g_clear_object (&self->query);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_object (&self->row);
  g_clear_object (&self->source);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (dc_history_page_parent_class)->dispose (object);
}

static void
dc_history_page_finalize (GObject *object)
{
  DcHistoryPage *self = DC_HISTORY_PAGE (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->newer_tos, g_array_unref);

  G_OBJECT_CLASS (dc_history_page_parent_class)->finalize (object);
}

static void
dc_history_page_class_init (DcHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dc_history_page_dispose;
  object_class->finalize = dc_history_page_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "historypage");
}

static void
dc_history_page_init (DcHistoryPage *self)
{
  GtkWidget *bar, *nav, *scroller;
  GtkSelectionModel *selection;

  self->page_size = 100;
  self->to = G_MAXINT64;
  self->newer_tos = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->store = g_list_store_new (DC_TYPE_HISTORY_ITEM);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_start (bar, 12);
  gtk_widget_set_margin_end (bar, 12);
  gtk_widget_set_margin_top (bar, 6);
  gtk_widget_set_margin_bottom (bar, 6);
  self->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "heading");
  gtk_label_set_ellipsize (self->title, PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->title));
  self->page_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->page_label), "dim-label");
  gtk_widget_set_hexpand (GTK_WIDGET (self->page_label), TRUE);
  gtk_label_set_xalign (self->page_label, 0);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->page_label));

  nav = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (nav, "linked");
  self->newest_button = text_button (_("Ne_west"), _("The newest samples"));
  self->newer_button = text_button (_("_Newer"), _("The next newer samples"));
  self->older_button = text_button (_("_Older"), _("The next older samples"));
  g_signal_connect_swapped (self->newest_button, "clicked", G_CALLBACK (dc_history_page_reload), self);
  g_signal_connect_swapped (self->newer_button, "clicked", G_CALLBACK (dc_history_page_newer), self);
  g_signal_connect_swapped (self->older_button, "clicked", G_CALLBACK (dc_history_page_older), self);
  gtk_box_append (GTK_BOX (nav), self->newest_button);
  gtk_box_append (GTK_BOX (nav), self->newer_button);
  gtk_box_append (GTK_BOX (nav), self->older_button);
  gtk_box_append (GTK_BOX (bar), nav);

  self->export_button = gtk_button_new_with_mnemonic (_("E_xport CSV…"));
  g_signal_connect_swapped (self->export_button, "clicked", G_CALLBACK (export_clicked_cb), self);
  gtk_box_append (GTK_BOX (bar), self->export_button);
  gtk_widget_set_parent (bar, GTK_WIDGET (self));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  self->status = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->status, "document-open-recent-symbolic");
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->status), "status");

  selection = GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->store))));
  self->column_view = GTK_COLUMN_VIEW (gtk_column_view_new (selection));
  gtk_widget_add_css_class (GTK_WIDGET (self->column_view), "data-table");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->column_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Stored samples of the point, newest first"), -1);
  add_column (self, _("Time"), DC_HISTORY_COLUMN_TIME, FALSE);
  add_column (self, _("Value"), DC_HISTORY_COLUMN_VALUE, FALSE);
  add_column (self, _("State"), DC_HISTORY_COLUMN_STATE, FALSE);
  add_column (self, _("Quality"), DC_HISTORY_COLUMN_QUALITY, TRUE);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->column_view));
  gtk_stack_add_named (self->stack, scroller, "samples");
  gtk_widget_set_parent (GTK_WIDGET (self->stack), GTK_WIDGET (self));

  update_controls (self);
}

GtkWidget *
dc_history_page_new (void)
{
  return g_object_new (DC_TYPE_HISTORY_PAGE, NULL);
}

void
dc_history_page_set_source (DcHistoryPage *self,
                            DcPlantSource *source)
{
  g_return_if_fail (DC_IS_HISTORY_PAGE (self));

  if (!g_set_object (&self->source, source))
    return;
  dc_history_page_reload (self);
}

void
dc_history_page_set_point (DcHistoryPage *self,
                           DcPointRow    *row)
{
  g_return_if_fail (DC_IS_HISTORY_PAGE (self));

  if (!g_set_object (&self->row, row))
    return;
  dc_history_page_reload (self);
}

DcPointRow *
dc_history_page_get_point (DcHistoryPage *self)
{
  g_return_val_if_fail (DC_IS_HISTORY_PAGE (self), NULL);
  return self->row;
}

void
dc_history_page_set_page_size (DcHistoryPage *self,
                               guint          page_size)
{
  g_return_if_fail (DC_IS_HISTORY_PAGE (self));
  g_return_if_fail (page_size > 0);

  self->page_size = page_size;
  dc_history_page_reload (self);
}

void
dc_history_page_reload (DcHistoryPage *self)
{
  g_return_if_fail (DC_IS_HISTORY_PAGE (self));

  self->to = G_MAXINT64;
  g_array_set_size (self->newer_tos, 0);
  load (self);
}

void
dc_history_page_older (DcHistoryPage *self)
{
  guint n;
  g_autoptr(DcHistoryItem) oldest = NULL;

  g_return_if_fail (DC_IS_HISTORY_PAGE (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  if (!self->has_older || n == 0 || self->query != NULL)
    return;
  /* The next page ends where this one starts (the window is [-inf, to)). */
  oldest = g_list_model_get_item (G_LIST_MODEL (self->store), n - 1);
  g_array_append_val (self->newer_tos, self->to);
  self->to = oldest->sample.time;
  load (self);
}

void
dc_history_page_newer (DcHistoryPage *self)
{
  g_return_if_fail (DC_IS_HISTORY_PAGE (self));

  if (self->newer_tos->len == 0 || self->query != NULL)
    return;
  self->to = g_array_index (self->newer_tos, gint64, self->newer_tos->len - 1);
  g_array_set_size (self->newer_tos, self->newer_tos->len - 1);
  load (self);
}

static gboolean
refresh_cb (gpointer data)
{
  DcHistoryPage *self = data;

  self->refresh_id = 0;
  if (self->newer_tos->len == 0 && self->query == NULL)
    load (self);
  return G_SOURCE_REMOVE;
}

void
dc_history_page_point_updated (DcHistoryPage *self)
{
  g_autoptr(DcHistoryItem) newest = NULL;

  g_return_if_fail (DC_IS_HISTORY_PAGE (self));

  /* Only the newest page changes, and only when the value is newer than its first row. */
  if (self->row == NULL || self->newer_tos->len > 0 || self->refresh_id != 0 ||
      !dc_point_row_has_value (self->row) || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  newest = g_list_model_get_item (G_LIST_MODEL (self->store), 0);
  if (newest != NULL && newest->sample.time >= dc_point_row_get_time (self->row))
    return;
  self->refresh_id = g_timeout_add (1000, refresh_cb, self);
}

guint
dc_history_page_get_page (DcHistoryPage *self)
{
  g_return_val_if_fail (DC_IS_HISTORY_PAGE (self), 0);
  return self->newer_tos->len;
}

gboolean
dc_history_page_has_older (DcHistoryPage *self)
{
  g_return_val_if_fail (DC_IS_HISTORY_PAGE (self), FALSE);
  return self->has_older;
}

gboolean
dc_history_page_is_loading (DcHistoryPage *self)
{
  g_return_val_if_fail (DC_IS_HISTORY_PAGE (self), FALSE);
  return self->query != NULL;
}

guint
dc_history_page_get_n_rows (DcHistoryPage *self)
{
  g_return_val_if_fail (DC_IS_HISTORY_PAGE (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->store));
}

const char *
dc_history_page_get_text (DcHistoryPage   *self,
                          guint            row,
                          DcHistoryColumn  column)
{
  g_autoptr(DcHistoryItem) item = NULL;

  g_return_val_if_fail (DC_IS_HISTORY_PAGE (self), NULL);
  g_return_val_if_fail (column < DC_HISTORY_N_COLUMNS, NULL);

  item = g_list_model_get_item (G_LIST_MODEL (self->store), row);
  /* The store keeps the item (and its texts) alive. */
  return item ? item->texts[column] : NULL;
}

char *
dc_history_page_to_csv (DcHistoryPage *self)
{
  GString *csv;

  g_return_val_if_fail (DC_IS_HISTORY_PAGE (self), NULL);

  csv = g_string_new ("time,value,state,quality\n");
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->store)); i++)
    {
      g_autoptr(DcHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      g_autofree char *time = dc_time_format (item->sample.time);

      g_string_append (csv, time);
      g_string_append_c (csv, ',');
      if (isfinite (item->sample.value))
        dc_number_append (csv, item->sample.value);  /* docs/model.md "Numbers in texts" */
      g_string_append_c (csv, ',');
      dc_csv_append_field (csv, item->texts[DC_HISTORY_COLUMN_STATE], FALSE);
      g_string_append_c (csv, ',');
      dc_csv_append_field (csv, item->texts[DC_HISTORY_COLUMN_QUALITY], FALSE);
      g_string_append_c (csv, '\n');
    }
  return g_string_free (csv, FALSE);
}
