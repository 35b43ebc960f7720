/* dc-window-trend.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-window"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "dc-error.h"
#include "dc-plant-source-samples.h"
#include "dc-window-private.h"
#include "dc-window-trend.h"

/* The trends of the window (docs/ui.md, "Trend"): the detail pane's mini trend follows the
 * selected point; the Trend page shows the pinned points (Ctrl+T) and, while "Follow
 * Selection" is on, the selected ones; its legend lists the pens with a remove button. Both
 * answer their ::range-changed with history buckets queried off the main thread and are
 * extended live from the plant model's ::flushed. The History page (docs/ui.md "History")
 * shows the raw samples of the selected point. The CSV export of the Trend page is
 * dc-window-trend-export.c's. */

/* The most selected points the Trend page follows at once. */
#define MAX_FOLLOWED 8

typedef struct _DcWindowTrend
{
  GArray          *pins;            /* gint64 keys pinned to the Trend page, in order */
  GtkToggleButton *follow_selection;
  DcTrendLegend   *legend;
  GSimpleAction   *range;
  GtkMenuButton   *custom_button;
  GtkCalendar     *from_calendar;
  GtkCalendar     *to_calendar;
  GtkEditable     *from_time;
  GtkEditable     *to_time;
  GtkLabel        *range_error;
  DcHistoryPage   *history;
  AdwFlap         *flap;        /* the chart and the pens' list */
  GtkWidget       *pens_child;  /* the flow box child of the "Pens" toggle */
} DcWindowTrend;

static void
update_trend_label (DcWindow *self)
{
  g_autoptr(GString) str = g_string_new (NULL);

  for (guint i = 0; i < dc_trend_view_get_n_series (self->trend_view); i++)
    {
      gint64 key = dc_trend_view_get_series_key (self->trend_view, i);
      DcPointRow *row = self->plant ? dc_plant_model_lookup_point (self->plant, key) : NULL;

      if (row == NULL)
        continue;
      if (str->len > 0)
        g_string_append (str, ", ");
      g_string_append (str, dc_point_row_get_name (row));
    }
  gtk_label_set_label (self->trend_points_label, str->str);
}

/* The states of a state point in words, for its axis: the values -1 … 3 and those its
 * `states` names whose text is a word, not the number itself. */
static void
set_states (DcTrendView *view,
            DcPointRow  *row)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  JsonObject *states = dc_point_row_get_states (row);
  g_autoptr(GList) names = states ? json_object_get_members (states) : NULL;

  for (double v = -1; v <= 3; v++)
    g_array_append_val (values, v);
  for (GList *l = names; l != NULL; l = l->next)
    {
      gint64 v;

      if (g_ascii_string_to_signed (l->data, 10, -1000, 1000, &v, NULL) && (v < -1 || v > 3))
        {
          double d = (double) v;

          g_array_append_val (values, d);
        }
    }
  for (guint i = 0; i < values->len; i++)
    {
      double v = g_array_index (values, double, i);
      char *text = dc_point_row_format_value (row, v);
      char *end = NULL;

      g_ascii_strtod (text, &end);
      if (end != text)
        {
          /* A number: this value has no state text. */
          g_free (text);
          g_array_remove_index (values, i--);
          continue;
        }
      g_ptr_array_add (texts, text);
    }
  g_ptr_array_add (texts, NULL);
  if (values->len > 0)
    dc_trend_view_set_series_states (view, dc_point_row_get_key (row), (double *) values->data,
                                     (const char * const *) texts->pdata, values->len);
}

static void
show_in_trend (DcTrendView *view,
               DcPointRow  *row)
{
  if (dc_trend_view_has_series (view, dc_point_row_get_key (row)))
    return;
  dc_trend_view_add_series (view, dc_point_row_get_key (row), dc_point_row_get_name (row),
                            dc_point_row_get_unit (row));
  if (dc_point_row_is_state (row))
    set_states (view, row);
  if (dc_point_row_has_value (row))
    dc_trend_view_add_sample (view, dc_point_row_get_key (row), dc_point_row_get_time (row),
                              dc_point_row_get_value (row));
}

static gboolean
is_pinned (DcWindow *self,
           gint64    key)
{
  for (guint i = 0; i < self->trend->pins->len; i++)
    if (g_array_index (self->trend->pins, gint64, i) == key)
      return TRUE;
  return FALSE;
}

/* The selected rows (at most MAX_FOLLOWED), else @row alone. */
static GPtrArray *
selected_rows (DcWindow   *self,
               DcPointRow *row)
{
  GPtrArray *rows = dc_point_table_get_selected_rows (self->point_table, MAX_FOLLOWED);

  if (row != NULL && !g_ptr_array_find (rows, row, NULL))
    {
      g_ptr_array_set_size (rows, 0);
      g_ptr_array_add (rows, g_object_ref (row));
    }
  else if (row == NULL)
    g_ptr_array_set_size (rows, 0);
  return rows;
}

/* The Trend page following the selection: the pinned pens and the selected points. */
static void
sync_trend_page (DcWindow *self)
{
  g_autoptr(GPtrArray) rows = selected_rows (self, self->detail_row);
  DcTrendView *view = self->trend_view;

  for (guint i = dc_trend_view_get_n_series (view); i > 0; i--)
    {
      gint64 key = dc_trend_view_get_series_key (view, i - 1);
      gboolean wanted = is_pinned (self, key);

      for (guint j = 0; j < rows->len && !wanted; j++)
        wanted = dc_point_row_get_key (g_ptr_array_index (rows, j)) == key;
      if (!wanted)
        dc_trend_view_remove_series (view, key);
    }
  for (guint i = 0; i < self->trend->pins->len && self->plant != NULL; i++)
    {
      DcPointRow *row = dc_plant_model_lookup_point (self->plant,
                                                     g_array_index (self->trend->pins, gint64, i));

      if (row != NULL)
        show_in_trend (view, row);
    }
  for (guint i = 0; i < rows->len; i++)
    show_in_trend (view, g_ptr_array_index (rows, i));
  update_trend_label (self);
}

void
_dc_window_trend_show_selection (DcWindow   *self,
                                 DcPointRow *row)
{
  DcTrendView *mini = self->mini_trend;

  if (self->trend == NULL)
    return;  /* disposed */
  /* The mini trend: the point of the detail pane. */
  if (row == NULL)
    dc_trend_view_clear_series (mini);
  else if (dc_trend_view_get_n_series (mini) != 1 ||
           dc_trend_view_get_series_key (mini, 0) != dc_point_row_get_key (row))
    {
      dc_trend_view_clear_series (mini);
      show_in_trend (mini, row);
    }

  dc_history_page_set_source (self->trend->history, _dc_window_get_source (self));
  dc_history_page_set_point (self->trend->history, row);

  if (gtk_toggle_button_get_active (self->trend->follow_selection))
    sync_trend_page (self);
}

void
_dc_window_trend_reset (DcWindow *self)
{
  if (self->trend == NULL)
    return;
  g_array_set_size (self->trend->pins, 0);
  dc_trend_view_clear_series (self->trend_view);
  dc_history_page_set_point (self->trend->history, NULL);
}

void
_dc_window_trend_flushed_cb (DcWindow     *self,
                             guint         n_rows,
                             DcPlantModel *plant)
{
  DcTrendView *views[] = { self->mini_trend, self->trend_view };

  if (self->trend != NULL)
    dc_history_page_point_updated (self->trend->history);
  /* Extend the trends live with the rows that were just updated. */
  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    for (guint i = 0; i < dc_trend_view_get_n_series (views[v]); i++)
      {
        gint64 key = dc_trend_view_get_series_key (views[v], i);
        DcPointRow *row = dc_plant_model_lookup_point (plant, key);

        if (row != NULL && dc_point_row_has_value (row))
          dc_trend_view_add_sample (views[v], key, dc_point_row_get_time (row),
                                    dc_point_row_get_value (row));
      }
}

typedef struct
{
  GWeakRef  view;
  gint64    key;
  gint64    from;
  gint64    to;
  guint     n_buckets;
} BucketQuery;

static void
bucket_query_free (BucketQuery *q)
{
  g_weak_ref_clear (&q->view);
  g_free (q);
}

static void
buckets_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  BucketQuery *q = user_data;
  g_autoptr(DcTrendView) view = g_weak_ref_get (&q->view);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) buckets = NULL;
  g_autoptr(GArray) trend = NULL;
  gint64 width;

  buckets = dc_plant_source_buckets_finish (DC_PLANT_SOURCE (object), result, &error);
  if (buckets == NULL || view == NULL)
    {
      /* A server out of reach is the connection banner's to say (docs/ui.md). */
      if (error != NULL && error->domain == DC_ERROR)
        g_warning ("trend query failed: %s", error->message);
      else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("trend query failed: %s", error->message);
      bucket_query_free (q);
      return;
    }

  /* Buckets are aligned to the history's rollup period: the smallest gap is the width. */
  width = MAX ((q->to - q->from) / MAX (q->n_buckets, 1), 1);
  for (guint i = 1; i < buckets->len; i++)
    {
      gint64 gap = g_array_index (buckets, DcBucket, i).time - g_array_index (buckets, DcBucket, i - 1).time;

      if (gap > 0 && (i == 1 || gap < width))
        width = gap;
    }

  trend = g_array_sized_new (FALSE, FALSE, sizeof (DcTrendBucket), buckets->len);
  for (guint i = 0; i < buckets->len; i++)
    {
      const DcBucket *b = &g_array_index (buckets, DcBucket, i);
      DcTrendBucket t = { b->time, b->time + width, b->min, b->max, b->avg, (guint) b->count,
                         b->last };

      g_array_append_val (trend, t);
    }
  dc_trend_view_set_buckets (view, q->key, (const DcTrendBucket *) trend->data, trend->len);
  bucket_query_free (q);
}

static void
trend_range_changed_cb (DcWindow    *self,
                        gint64       from,
                        gint64       to,
                        DcTrendView *view)
{
  DcPlantSource *source = _dc_window_get_source (self);
  GCancellable **query = view == self->mini_trend ? &self->mini_query : &self->trend_query;

  /* The history comes through the plant connection: this process's or the server's. */
  if (source == NULL || (dc_plant_source_is_local (source) &&
                         dc_plant_source_get_local_engine (source) == NULL))
    return;

  /* A newer range replaces the queries still running for this view. */
  if (*query != NULL)
    g_cancellable_cancel (*query);
  g_clear_object (query);
  *query = g_cancellable_new ();

  for (guint i = 0; i < dc_trend_view_get_n_series (view); i++)
    {
      BucketQuery *q = g_new0 (BucketQuery, 1);

      g_weak_ref_init (&q->view, view);
      q->key = dc_trend_view_get_series_key (view, i);
      q->from = from;
      q->to = to;
      q->n_buckets = dc_trend_view_get_wanted_buckets (view);
      dc_plant_source_buckets_async (source, q->key, from, to, q->n_buckets, *query,
                                     buckets_ready_cb, q);
    }
}

static void
trend_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  DcWindow *self = (DcWindow *) widget;
  g_autoptr(GPtrArray) rows = selected_rows (self, self->detail_row);

  /* Ctrl+T: pin the selected points to the Trend page; it keeps following the selection. */
  for (guint i = 0; i < rows->len; i++)
    {
      DcPointRow *row = g_ptr_array_index (rows, i);
      gint64 key = dc_point_row_get_key (row);

      if (!is_pinned (self, key))
        g_array_append_val (self->trend->pins, key);
      show_in_trend (self->trend_view, row);
    }
  update_trend_label (self);
  adw_view_stack_set_visible_child_name (self->view_stack, "trend");
}

static void
series_changed_cb (DcWindow    *self,
                   DcTrendView *view)
{
  if (self->trend == NULL)
    return;
  /* A pen removed from the legend is no longer pinned. */
  for (guint i = self->trend->pins->len; i > 0; i--)
    if (!dc_trend_view_has_series (view, g_array_index (self->trend->pins, gint64, i - 1)))
      g_array_remove_index (self->trend->pins, i - 1);
  update_trend_label (self);
}

static void
follow_selection_cb (DcWindow *self)
{
  if (gtk_toggle_button_get_active (self->trend->follow_selection))
    {
      sync_trend_page (self);
      return;
    }
  /* Not following any more: the pens shown stay, as pinned ones. */
  for (guint i = 0; i < dc_trend_view_get_n_series (self->trend_view); i++)
    {
      gint64 key = dc_trend_view_get_series_key (self->trend_view, i);

      if (!is_pinned (self, key))
        g_array_append_val (self->trend->pins, key);
    }
}

static void
trend_range_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  DcWindow *self = user_data;
  const char *range = g_variant_get_string (param, NULL);
  gint64 span = 3600;

  if (g_str_equal (range, "custom"))
    return;  /* set by the custom range's Apply */
  if (g_str_equal (range, "8h"))
    span = 8 * 3600;
  else if (g_str_equal (range, "24h"))
    span = 24 * 3600;
  else if (g_str_equal (range, "7d"))
    span = 7 * 24 * 3600;
  dc_trend_view_set_span (self->trend_view, span * G_USEC_PER_SEC);
  dc_trend_view_set_follow (self->trend_view, TRUE);
  g_simple_action_set_state (action, param);
}

/* Custom range ----------------------------------------------------------------------------- */

static void
set_picker (GtkCalendar *calendar,
            GtkEditable *time,
            gint64       when_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (when_us / G_USEC_PER_SEC);
  g_autofree char *text = g_date_time_format (dt, "%H:%M:%S");

  gtk_calendar_select_day (calendar, dt);
  gtk_editable_set_text (time, text);
}

/* The local time of the calendar's day at the entry's "HH:MM" or "HH:MM:SS"; FALSE when the
 * entry is not a time of day. */
static gboolean
get_picker (GtkCalendar *calendar,
            GtkEditable *time,
            gint64      *when_us)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (calendar);
  g_autoptr(GDateTime) dt = NULL;
  const char *text = gtk_editable_get_text (time);
  int h = 0, m = 0, sec = 0, n = 0;

  if (sscanf (text, "%d:%d%n", &h, &m, &n) != 2)
    return FALSE;
  if (text[n] == ':' && sscanf (text + n + 1, "%d%n", &sec, &n) == 1)
    ;
  else if (text[n] != '\0')
    return FALSE;
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59)
    return FALSE;
  dt = g_date_time_new_local (g_date_time_get_year (day), g_date_time_get_month (day),
                              g_date_time_get_day_of_month (day), h, m, sec);
  if (dt == NULL)
    return FALSE;
  *when_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
  return TRUE;
}

static void
custom_shown_cb (DcWindow *self)
{
  gint64 from, to;

  dc_trend_view_get_range (self->trend_view, &from, &to);
  set_picker (self->trend->from_calendar, self->trend->from_time, from);
  set_picker (self->trend->to_calendar, self->trend->to_time, to);
  gtk_label_set_label (self->trend->range_error, "");
}

static void
custom_apply_cb (DcWindow *self)
{
  DcWindowTrend *t = self->trend;
  gint64 from, to;

  if (!get_picker (t->from_calendar, t->from_time, &from) ||
      !get_picker (t->to_calendar, t->to_time, &to))
    {
      gtk_label_set_label (t->range_error, _("Enter times as hours:minutes or hours:minutes:seconds"));
      return;
    }
  if (from >= to)
    {
      gtk_label_set_label (t->range_error, _("The start must be before the end"));
      return;
    }
  if (to - from > (gint64) 31 * 86400 * G_USEC_PER_SEC || to - from < 10 * G_USEC_PER_SEC)
    {
      gtk_label_set_label (t->range_error, _("The range must be between 10 seconds and 31 days"));
      return;
    }
  gtk_label_set_label (t->range_error, "");
  dc_trend_view_set_range (self->trend_view, from, to);
  g_simple_action_set_state (t->range, g_variant_new_string ("custom"));
  gtk_menu_button_popdown (t->custom_button);
}

static GtkWidget *
picker (DcWindow     *self,
        const char   *title,
        const char   *name,
        GtkCalendar **calendar,
        GtkEditable **time)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *entry = gtk_entry_new ();
  g_autofree char *calendar_name = g_strdup_printf ("trend-%s-calendar", name);
  g_autofree char *time_name = g_strdup_printf ("trend-%s-time", name);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);
  *calendar = GTK_CALENDAR (gtk_calendar_new ());
  gtk_widget_set_name (GTK_WIDGET (*calendar), calendar_name);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (*calendar));
  gtk_widget_set_name (entry, time_name);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("hh:mm:ss"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  g_signal_connect_object (entry, "activate", G_CALLBACK (custom_apply_cb), self, G_CONNECT_SWAPPED);
  *time = GTK_EDITABLE (entry);
  gtk_box_append (GTK_BOX (box), entry);
  return box;
}

static GtkWidget *
custom_range_button (DcWindow *self)
{
  DcWindowTrend *t = self->trend;
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *pickers = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  GtkWidget *apply = gtk_button_new_with_mnemonic (_("_Show Range"));

  gtk_box_append (GTK_BOX (pickers), picker (self, _("From"), "from", &t->from_calendar, &t->from_time));
  gtk_box_append (GTK_BOX (pickers), picker (self, _("To"), "to", &t->to_calendar, &t->to_time));
  gtk_box_append (GTK_BOX (box), pickers);
  t->range_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (t->range_error), "trend-range-error");
  gtk_widget_add_css_class (GTK_WIDGET (t->range_error), "error");
  gtk_label_set_wrap (t->range_error, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (t->range_error));
  gtk_widget_set_name (apply, "trend-apply-range");
  gtk_widget_add_css_class (apply, "suggested-action");
  gtk_widget_set_halign (apply, GTK_ALIGN_END);
  g_signal_connect_object (apply, "clicked", G_CALLBACK (custom_apply_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), apply);
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  g_signal_connect_object (popover, "show", G_CALLBACK (custom_shown_cb), self, G_CONNECT_SWAPPED);

  t->custom_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_widget_set_name (GTK_WIDGET (t->custom_button), "trend-custom-range");
  gtk_menu_button_set_label (t->custom_button, _("_Custom…"));
  gtk_menu_button_set_use_underline (t->custom_button, TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (t->custom_button), _("Show a range of your choice"));
  gtk_menu_button_set_popover (t->custom_button, popover);
  return GTK_WIDGET (t->custom_button);
}

/* Set-up --------------------------------------------------------------------------------------- */

void
_dc_window_class_init_trend (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.trend", NULL, trend_action);
  gtk_widget_class_install_action (widget_class, "win.export-trend", NULL,
                                   _dc_window_trend_export_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "win.trend", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "win.export-trend", NULL);
}

/* Beside the chart: the pens (with "Add Selected") above their list. */
static GtkWidget *
legend_pane (DcWindow *self)
{
  GtkWidget *pane = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (_("Pens"));
  GtkWidget *add = gtk_button_new_with_mnemonic (_("_Add Selected"));
  GtkWidget *scroller = gtk_scrolled_window_new ();

  gtk_widget_set_size_request (pane, 240, -1);
  gtk_widget_set_margin_start (pane, 6);
  gtk_widget_set_margin_end (pane, 12);
  gtk_widget_set_margin_bottom (pane, 6);
  /* Opaque when a narrow window lays it over the chart. */
  gtk_widget_add_css_class (pane, "background");
  gtk_widget_add_css_class (title, "heading");
  gtk_widget_set_hexpand (title, TRUE);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_box_append (GTK_BOX (header), title);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (add), "win.trend");
  gtk_widget_set_tooltip_text (add, _("Pin the selected points to the trend (Ctrl+T)"));
  gtk_box_append (GTK_BOX (header), add);
  gtk_box_append (GTK_BOX (pane), header);

  self->trend->legend = DC_TREND_LEGEND (dc_trend_legend_new ());
  dc_trend_legend_set_view (self->trend->legend, self->trend_view);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->trend->legend));
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (pane), scroller);
  return pane;
}

static gboolean
flap_folded_idle_cb (gpointer user_data)
{
  DcWindow *self = user_data;

  /* The flow box's own child, so that no empty slot stays where the button is hidden. */
  if (self->trend != NULL)
    gtk_widget_set_visible (self->trend->pens_child, adw_flap_get_folded (self->trend->flap));
  return G_SOURCE_REMOVE;
}

static void
flap_folded_cb (DcWindow *self)
{
  /* The flap folds while it allocates: the toolbar (allocated before it) changes after the
   * frame, as the header does for the window's fold (dc-window-layout.c). */
  g_idle_add_full (G_PRIORITY_HIGH_IDLE, flap_folded_idle_cb, g_object_ref (self), g_object_unref);
}

void
_dc_window_init_trend (DcWindow *self)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  DcWindowTrend *t = g_new0 (DcWindowTrend, 1);
  GtkWidget *toolbar = gtk_widget_get_ancestor (GTK_WIDGET (self->follow_button), GTK_TYPE_FLOW_BOX);
  GtkWidget *page = gtk_widget_get_parent (GTK_WIDGET (self->trend_view));
  AdwFlap *body = ADW_FLAP (adw_flap_new ());
  GtkWidget *pens;
  AdwViewStackPage *history_page;

  self->trend = t;
  t->pins = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_object_bind_property (self->trend_view, "follow", self->follow_button, "active",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_signal_connect_object (self->trend_view, "range-changed",
                           G_CALLBACK (trend_range_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->mini_trend, "range-changed",
                           G_CALLBACK (trend_range_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->trend_view, "series-changed",
                           G_CALLBACK (series_changed_cb), self, G_CONNECT_SWAPPED);

  /* trend.range ('1h', '8h', '24h', '7d', 'custom'): the range buttons of the Trend page. */
  t->range = g_simple_action_new_stateful ("range", G_VARIANT_TYPE_STRING,
                                           g_variant_new_string ("1h"));
  g_signal_connect_object (t->range, "activate", G_CALLBACK (trend_range_action), self, 0);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (t->range));
  gtk_widget_insert_action_group (GTK_WIDGET (self), "trend", G_ACTION_GROUP (group));

  /* The toolbar (ui/dc-window.ui, a flow box that wraps in a narrow window): presets, then
   * "Custom…"; "Live", then "Follow Selection". */
  gtk_flow_box_insert (GTK_FLOW_BOX (toolbar), custom_range_button (self), 1);
  t->follow_selection = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_mnemonic (_("Follow _Selection")));
  gtk_widget_set_name (GTK_WIDGET (t->follow_selection), "trend-follow-selection");
  gtk_widget_set_tooltip_text (GTK_WIDGET (t->follow_selection),
                               _("Show the points selected in the table besides the pinned ones"));
  gtk_toggle_button_set_active (t->follow_selection, TRUE);
  g_signal_connect_object (t->follow_selection, "notify::active",
                           G_CALLBACK (follow_selection_cb), self, G_CONNECT_SWAPPED);
  gtk_flow_box_insert (GTK_FLOW_BOX (toolbar), GTK_WIDGET (t->follow_selection), 3);
  /* The pens are listed beside the chart: the label of their names only tells assistive
   * technologies (its place keeps "Export CSV…" at the end). */
  gtk_widget_set_opacity (GTK_WIDGET (self->trend_points_label), 0);

  /* The chart with the pens' list beside it; in a narrow window (docs/ui.md "Narrow windows")
   * the flap folds: the chart fills the page and "Pens" lays the list over it. */
  g_object_ref (self->trend_view);
  gtk_box_remove (GTK_BOX (page), GTK_WIDGET (self->trend_view));
  adw_flap_set_content (body, GTK_WIDGET (self->trend_view));
  g_object_unref (self->trend_view);
  adw_flap_set_flap (body, legend_pane (self));
  adw_flap_set_flap_position (body, GTK_PACK_END);
  adw_flap_set_swipe_to_open (body, FALSE);
  adw_flap_set_swipe_to_close (body, FALSE);
  gtk_widget_set_vexpand (GTK_WIDGET (body), TRUE);
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (body));
  t->flap = body;
  pens = gtk_toggle_button_new_with_mnemonic (_("_Pens"));
  gtk_widget_set_name (pens, "trend-pens");
  gtk_widget_set_tooltip_text (pens, _("The trend's pens"));
  g_object_bind_property (body, "reveal-flap", pens, "active",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  gtk_flow_box_insert (GTK_FLOW_BOX (toolbar), pens, 4);
  t->pens_child = gtk_widget_get_parent (pens);
  gtk_widget_set_visible (t->pens_child, FALSE);
  g_signal_connect_object (body, "notify::folded", G_CALLBACK (flap_folded_cb), self,
                           G_CONNECT_SWAPPED);
  dc_trend_view_set_draw_legend (self->trend_view, FALSE);

  /* The History page (docs/ui.md "History"). */
  t->history = DC_HISTORY_PAGE (dc_history_page_new ());
  history_page = adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (t->history), "history",
                                            _("History"));
  adw_view_stack_page_set_icon_name (history_page, "view-list-symbolic");
}

void
_dc_window_dispose_trend (DcWindow *self)
{
  /* The answers would be dropped anyway (they hold weak references to the views). */
  g_cancellable_cancel (self->mini_query);
  g_cancellable_cancel (self->trend_query);
  g_clear_object (&self->mini_query);
  g_clear_object (&self->trend_query);
  if (self->trend != NULL)
    {
      g_clear_pointer (&self->trend->pins, g_array_unref);
      g_clear_object (&self->trend->range);
      g_clear_pointer (&self->trend, g_free);
    }
}

DcTrendLegend *
dc_window_get_trend_legend (DcWindow *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->trend->legend;
}

GtkToggleButton *
dc_window_get_follow_selection (DcWindow *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->trend->follow_selection;
}

DcHistoryPage *
dc_window_get_history_page (DcWindow *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->trend->history;
}
