/* dc-window-trend-export.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-window"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dc-error.h"
#include "dc-plant-source-samples.h"
#include "dc-window-private.h"
#include "dc-window-trend.h"

/* The CSV export of the Trend page (docs/ui.md, "Trend"): the raw samples of its pens in the
 * shown range, the `win.export-trend` action (installed by dc-window-trend.c). */

/* The most samples per pen the CSV export writes (the newest of the range): a server's
 * default --max-samples, so that a local and a remote desk write the same file. */
#define MAX_EXPORT_SAMPLES 100000

/* Export of raw samples ------------------------------------------------------------------------ */

typedef struct
{
  GFile     *file;
  guint      pending;
  GPtrArray *labels;     /* char * */
  GPtrArray *units;      /* char * */
  GPtrArray *samples;    /* GArray * of DcSample, NULL until answered */
  GError    *error;
} Export;

static void
export_free (Export *e)
{
  g_clear_object (&e->file);
  g_ptr_array_unref (e->labels);
  g_ptr_array_unref (e->units);
  g_ptr_array_unref (e->samples);
  g_clear_error (&e->error);
  g_free (e);
}

static void
export_write (GTask *task)
{
  Export *e = g_task_get_task_data (task);
  g_autofree char *csv = NULL;
  GError *error = NULL;

  if (e->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&e->error));
      return;
    }
  csv = dc_trend_csv_wide (e->samples->len, (const char * const *) e->labels->pdata,
                           (const char * const *) e->units->pdata,
                           (GArray * const *) e->samples->pdata);
  if (!g_file_replace_contents (e->file, csv, strlen (csv), NULL, FALSE,
                                G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                g_task_get_cancellable (task), &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

typedef struct
{
  GTask *task;
  guint  index;
} ExportPart;

static void
export_samples_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ExportPart *part = user_data;
  g_autoptr(GTask) task = part->task;
  Export *e = g_task_get_task_data (task);
  GError *error = NULL;
  GArray *samples = dc_plant_source_samples_finish (DC_PLANT_SOURCE (object), result, NULL, &error);

  if (samples != NULL)
    {
      g_clear_pointer (&e->samples->pdata[part->index], g_array_unref);
      e->samples->pdata[part->index] = samples;
    }
  else if (e->error == NULL)
    e->error = error;
  else
    g_error_free (error);
  g_free (part);
  if (--e->pending == 0)
    export_write (task);
}

void
dc_window_export_trend_async (DcWindow            *self,
                              GFile               *file,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DcPlantSource *source;
  Export *e;
  gint64 from, to;
  guint n;

  g_return_if_fail (self != NULL);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dc_window_export_trend_async);
  e = g_new0 (Export, 1);
  e->file = g_object_ref (file);
  e->labels = g_ptr_array_new_with_free_func (g_free);
  e->units = g_ptr_array_new_with_free_func (g_free);
  e->samples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_task_set_task_data (task, e, (GDestroyNotify) export_free);

  source = _dc_window_get_source (self);
  dc_trend_view_get_range (self->trend_view, &from, &to);
  n = dc_trend_view_get_n_series (self->trend_view);
  for (guint i = 0; i < n; i++)
    {
      DcPointRow *row = self->plant ? dc_plant_model_lookup_point (self->plant,
                                                                   dc_trend_view_get_series_key (self->trend_view, i))
                                    : NULL;
      ExportPart *part;

      if (row == NULL || source == NULL)
        continue;
      g_ptr_array_add (e->labels, g_strdup (dc_point_row_get_name (row)));
      g_ptr_array_add (e->units, g_strdup (dc_point_row_get_unit (row)));
      g_ptr_array_add (e->samples, g_array_new (FALSE, FALSE, sizeof (DcSample)));
      part = g_new0 (ExportPart, 1);
      part->task = g_object_ref (task);
      part->index = e->samples->len - 1;
      e->pending++;
      dc_plant_source_samples_async (source, row, from, to, MAX_EXPORT_SAMPLES, cancellable,
                                     export_samples_cb, part);
    }
  if (e->pending == 0)
    export_write (task);
}

gboolean
dc_window_export_trend_finish (DcWindow      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  DcWindow *self = (DcWindow *) object;
  g_autoptr(GError) error = NULL;

  if (!dc_window_export_trend_finish (self, result, &error))
    {
      g_autofree char *msg = g_strdup_printf (_("Could not export: %s"), error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (msg));
    }
  else
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Trend exported")));
}

static void
export_response_cb (DcWindow             *self,
                    int                   response,
                    GtkFileChooserNative *native)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      dc_window_export_trend_async (self, file, NULL, exported_cb, NULL);
    }
  g_object_unref (native);
}

void
_dc_window_trend_export_action (GtkWidget  *widget,
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
