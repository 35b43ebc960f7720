/* dc-window-trend.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-error.h"
#include "dc-window-private.h"

/* The trends of the window (docs/ui.md, "Trend"): the detail pane's mini trend follows the
 * selected point; the Trend page shows the selection until Ctrl+T pins points to it. Both
 * answer their ::range-changed with history buckets queried off the main thread and are
 * extended live from the plant model's ::flushed. */

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

static void
show_in_trend (DcTrendView *view,
               DcPointRow  *row)
{
  dc_trend_view_add_series (view, dc_point_row_get_key (row), dc_point_row_get_name (row),
                            dc_point_row_get_unit (row));
  if (dc_point_row_has_value (row))
    dc_trend_view_add_sample (view, dc_point_row_get_key (row), dc_point_row_get_time (row),
                              dc_point_row_get_value (row));
}

void
_dc_window_trend_show_selection (DcWindow   *self,
                                 DcPointRow *row)
{
  dc_trend_view_clear_series (self->mini_trend);
  if (row == NULL)
    return;
  show_in_trend (self->mini_trend, row);
  /* Until points are pinned (Ctrl+T) the trend page shows the selection. */
  if (!self->trend_pinned)
    {
      dc_trend_view_clear_series (self->trend_view);
      show_in_trend (self->trend_view, row);
      update_trend_label (self);
    }
}

void
_dc_window_trend_reset (DcWindow *self)
{
  dc_trend_view_clear_series (self->trend_view);
  self->trend_pinned = FALSE;
}

void
_dc_window_trend_flushed_cb (DcWindow     *self,
                             guint         n_rows,
                             DcPlantModel *plant)
{
  DcTrendView *views[] = { self->mini_trend, self->trend_view };

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
      DcTrendBucket t = { b->time, b->time + width, b->min, b->max, b->avg, (guint) b->count };

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

  /* Ctrl+T: pin the selected point to the trend page (several points share one chart). */
  if (self->detail_row != NULL)
    {
      if (!self->trend_pinned)
        dc_trend_view_clear_series (self->trend_view);
      self->trend_pinned = TRUE;
      show_in_trend (self->trend_view, self->detail_row);
    }
  update_trend_label (self);
  adw_view_stack_set_visible_child_name (self->view_stack, "trend");
}

static void
trend_range_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  DcWindow *self = user_data;
  const char *range = g_variant_get_string (param, NULL);
  gint64 span = 3600;

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

static void
export_response_cb (DcWindow             *self,
                    int                   response,
                    GtkFileChooserNative *native)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      csv = dc_trend_view_to_csv (self->trend_view);
      if (!g_file_replace_contents (file, csv, strlen (csv), NULL, FALSE,
                                    G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, &error))
        {
          g_autofree char *msg = g_strdup_printf (_("Could not export: %s"), error->message);

          adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (msg));
        }
      else
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Trend exported")));
    }
  g_object_unref (native);
}

static void
export_trend_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  DcWindow *self = (DcWindow *) widget;
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Export Trend"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), "trend.csv");
  g_signal_connect_swapped (native, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

void
_dc_window_class_init_trend (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.trend", NULL, trend_action);
  gtk_widget_class_install_action (widget_class, "win.export-trend", NULL, export_trend_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "win.trend", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "win.export-trend", NULL);
}

void
_dc_window_init_trend (DcWindow *self)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) range = NULL;

  g_object_bind_property (self->trend_view, "follow", self->follow_button, "active",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_signal_connect_object (self->trend_view, "range-changed",
                           G_CALLBACK (trend_range_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->mini_trend, "range-changed",
                           G_CALLBACK (trend_range_changed_cb), self, G_CONNECT_SWAPPED);

  /* trend.range ('1h', '8h', '24h', '7d'): the range buttons of the Trend page. */
  range = g_simple_action_new_stateful ("range", G_VARIANT_TYPE_STRING,
                                        g_variant_new_string ("1h"));
  g_signal_connect_object (range, "activate", G_CALLBACK (trend_range_action), self, 0);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (range));
  gtk_widget_insert_action_group (GTK_WIDGET (self), "trend", G_ACTION_GROUP (group));
}

void
_dc_window_dispose_trend (DcWindow *self)
{
  /* The answers would be dropped anyway (they hold weak references to the views). */
  g_cancellable_cancel (self->mini_query);
  g_cancellable_cancel (self->trend_query);
  g_clear_object (&self->mini_query);
  g_clear_object (&self->trend_query);
}
