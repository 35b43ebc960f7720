/* dc-dialog-save.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-dialog-save"

#include "config.h"

#include "dc-dialog-save.h"

#define SAVING_KEY "dc-dialog-saving"

typedef struct
{
  GtkWindow              *window;
  char                   *saved_id;
  DcDialogSaveFailedFunc  failed;
  gboolean                answered;
  gboolean                refused;
} SaveOp;

static void
save_op_free (SaveOp *op)
{
  g_object_unref (op->window);
  g_free (op->saved_id);
}

static void
saved_cb (const GError *error,
          gpointer      user_data)
{
  SaveOp *op = user_data;
  g_autoptr(GtkWindow) window = g_object_ref (op->window);

  op->answered = TRUE;
  op->refused = error != NULL;
  g_object_set_data (G_OBJECT (window), SAVING_KEY, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (window), TRUE);
  if (error != NULL)
    op->failed (window, error);
  else
    {
      g_signal_emit_by_name (window, "saved", op->saved_id);
      gtk_window_close (window);
    }
  g_rc_box_release_full (op, (GDestroyNotify) save_op_free);
}

gboolean
dc_dialog_is_saving (GtkWindow *window)
{
  g_return_val_if_fail (GTK_IS_WINDOW (window), FALSE);
  return g_object_get_data (G_OBJECT (window), SAVING_KEY) != NULL;
}

gboolean
dc_dialog_save (GtkWindow              *window,
                DcPlantSource          *source,
                DcKind                  kind,
                const char             *id,
                JsonObject             *object,
                const char             *saved_id,
                DcDialogSaveFailedFunc  failed)
{
  SaveOp *op;
  gboolean ok;

  g_return_val_if_fail (GTK_IS_WINDOW (window), FALSE);
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (source), FALSE);
  g_return_val_if_fail (failed != NULL, FALSE);

  if (dc_dialog_is_saving (window))
    return FALSE;
  op = g_rc_box_new0 (SaveOp);
  op->window = g_object_ref (window);
  op->saved_id = g_strdup (saved_id);
  op->failed = failed;
  g_object_set_data (G_OBJECT (window), SAVING_KEY, GINT_TO_POINTER (TRUE));
  gtk_widget_set_sensitive (GTK_WIDGET (window), FALSE);
  /* One reference for the answer, one to read it here when it came before the return. */
  dc_plant_source_save (source, kind, id, object, saved_cb, g_rc_box_acquire (op));
  ok = !op->answered || !op->refused;
  g_rc_box_release_full (op, (GDestroyNotify) save_op_free);
  return ok;
}
