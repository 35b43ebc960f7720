/* dc-delete-dialog.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The delete confirmation (dc_delete_dialog_new() in dc-edit-dialog.h): what goes with the
 * entity, then the delete through the plant connection.
 */

#define G_LOG_DOMAIN "dc-edit-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-edit-dialog.h"
#include "dc-point-id.h"

typedef struct
{
  gint       refs;
  DcPlantSource *source;
  gboolean   counted;   /* what goes with it is counted (store, else the plant model) */
  gboolean   samples_unknown;   /* no history to count them in (a server's desk) */
  DcKind     kind;
  char      *id;
  GArray    *keys;      /* gint64 point keys going with it */
  guint      n_terms;
  guint      n_points;
  gint64     n_samples;
  guint      pending;
  char      *text;
  GWeakRef   dialog;
} DeleteData;

static void
delete_data_unref (gpointer data)
{
  DeleteData *d = data;

  if (--d->refs > 0)
    return;

  g_clear_object (&d->source);
  g_free (d->id);
  g_array_unref (d->keys);
  g_free (d->text);
  g_weak_ref_clear (&d->dialog);
  g_free (d);
}

static void
delete_update_text (DeleteData *d,
                    GtkWidget  *dialog)
{
  g_autoptr(GString) body = g_string_new (NULL);

  if (!d->counted)
    {
      g_free (d->text);
      d->text = g_strdup (d->kind == DC_KIND_POINT
                          ? _("This also deletes its history. It cannot be undone.")
                          : _("This also deletes what belongs to it and its history. It cannot be undone."));
      if (dialog != NULL)
        adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), d->text);
      return;
    }
  if (d->kind == DC_KIND_DEVICE)
    {
      g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "%u term", "%u terms", d->n_terms),
                              d->n_terms);
      g_string_append (body, ", ");
    }
  if (d->kind == DC_KIND_DEVICE || d->kind == DC_KIND_TERM || d->kind == DC_KIND_ITEM)
    {
      g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "%u point", "%u points", d->n_points),
                              d->n_points);
      g_string_append (body, ", ");
    }
  if (d->samples_unknown)
    g_string_append (body, _("their history"));
  else if (d->pending > 0)
    g_string_append (body, _("counting history samples…"));
  else
    g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "%ld history sample",
                                               "%ld history samples", d->n_samples),
                            (long) d->n_samples);
  g_free (d->text);
  /* Translators: %s lists what goes with the deleted entity */
  d->text = g_strdup_printf (_("This also deletes: %s. It cannot be undone."), body->str);
  if (dialog != NULL)
    adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), d->text);
}

static void
count_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  DeleteData *d = user_data;
  g_autoptr(GtkWidget) dialog = g_weak_ref_get (&d->dialog);
  gint64 n = dc_history_count_finish (DC_HISTORY (object), result, NULL);

  if (n > 0)
    d->n_samples += n;
  d->pending--;
  delete_update_text (d, dialog);
  delete_data_unref (d);
}

static void
deleted_cb (const GError *error,
            gpointer      user_data)
{
  g_autoptr(GtkWindow) parent = user_data;
  GtkWidget *failed;

  if (error == NULL)
    return;
  failed = adw_message_dialog_new (parent, _("Could Not Delete"), error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (failed), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (failed));
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    DeleteData       *d)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));

  if (!g_str_equal (response, "delete"))
    return;
  dc_plant_source_remove (d->source, d->kind, d->id, deleted_cb,
                          parent ? g_object_ref (parent) : NULL);
}

/* A server's desk counts what goes with it in its plant model (its history is the server's). */
static void
count_in_plant (DeleteData   *d,
                DcPlantModel *plant)
{
  GListModel *devices = dc_plant_model_get_devices (plant);

  d->counted = TRUE;
  d->samples_unknown = TRUE;
  if (d->kind == DC_KIND_DEVICE || d->kind == DC_KIND_TERM)
    {
      DcDeviceNode *node = d->kind == DC_KIND_DEVICE ? dc_plant_model_lookup_device (plant, d->id)
                                                     : dc_plant_model_lookup_term (plant, d->id);

      if (node != NULL && d->kind == DC_KIND_DEVICE)
        d->n_terms = g_list_model_get_n_items (G_LIST_MODEL (dc_device_node_get_children (node)));
      d->n_points = node ? g_list_model_get_n_items (dc_device_node_get_points (node)) : 0;
      return;
    }
  if (d->kind != DC_KIND_ITEM)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(DcDeviceNode) device = g_list_model_get_item (devices, i);
      GListModel *points = dc_device_node_get_points (device);

      for (guint j = 0; j < g_list_model_get_n_items (points); j++)
        {
          g_autoptr(DcPointRow) row = g_list_model_get_item (points, j);

          if (g_strcmp0 (dc_point_row_get_item_id (row), d->id) == 0)
            d->n_points++;
        }
    }
}

GtkWidget *
dc_delete_dialog_new (GtkWindow     *parent,
                      DcPlantSource *source,
                      DcPlantModel  *plant,
                      DcHistory     *history,
                      DcKind         kind,
                      const char    *id)
{
  DcStore *store;
  GtkWidget *dialog;
  DeleteData *d;
  g_autoptr(GPtrArray) points = NULL;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (DC_IS_PLANT_SOURCE (source), NULL);

  d = g_new0 (DeleteData, 1);
  d->refs = 1;
  d->source = g_object_ref (source);
  d->kind = kind;
  d->id = g_strdup (id);
  d->keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  /* What goes with it is counted in a local store, else (a server's desk) in the plant model. */
  store = dc_plant_source_get_local_store (source);
  d->counted = store != NULL;
  if (store == NULL && plant != NULL)
    count_in_plant (d, plant);

  switch (store != NULL ? kind : DC_KIND_FORMULA)
    {
    case DC_KIND_DEVICE:
      {
        g_autoptr(GPtrArray) terms = dc_store_list_device_terms (store, id, NULL);

        d->n_terms = terms ? terms->len : 0;
        points = dc_store_list_points (store, id, NULL);
      }
      break;
    case DC_KIND_TERM:
      points = dc_store_list_points (store, NULL, id);
      break;
    case DC_KIND_ITEM:
      {
        g_autoptr(GPtrArray) all = dc_store_list_points (store, NULL, NULL);

        points = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
        for (guint i = 0; all && i < all->len; i++)
          {
            JsonObject *p = g_ptr_array_index (all, i);

            if (g_strcmp0 (json_object_get_string_member_with_default (p, "item_id", ""), id) == 0)
              g_ptr_array_add (points, json_object_ref (p));
          }
      }
      break;
    case DC_KIND_POINT:
      {
        g_autofree char *term_id = NULL;
        const char *item_id;
        gint64 key = dc_point_id_split (id, &term_id, &item_id) ?
                     dc_store_get_point_key (store, term_id, item_id) : 0;

        if (key != 0)
          g_array_append_val (d->keys, key);
      }
      break;
    case DC_KIND_FORMULA:
    default:
      break;
    }
  for (guint i = 0; points != NULL && i < points->len; i++)
    {
      JsonObject *p = g_ptr_array_index (points, i);
      gint64 key = dc_store_get_point_key (store,
                                           json_object_get_string_member_with_default (p, "term_id", ""),
                                           json_object_get_string_member_with_default (p, "item_id", ""));

      if (key != 0)
        g_array_append_val (d->keys, key);
    }
  if (store != NULL)
    d->n_points = points ? points->len : 0;

  /* Translators: %s is the id of what is deleted */
  heading = g_strdup_printf (_("Delete “%s”?"), id);
  dialog = adw_message_dialog_new (parent, heading, NULL);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_weak_ref_init (&d->dialog, dialog);
  g_object_set_data_full (G_OBJECT (dialog), "dc-delete", d, delete_data_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (delete_response_cb), d);

  if (history != NULL)
    for (guint i = 0; i < d->keys->len; i++)
      {
        d->pending++;
        d->refs++;
        dc_history_count_async (history, g_array_index (d->keys, gint64, i), G_MININT64,
                                G_MAXINT64, NULL, count_ready_cb, d);
      }
  delete_update_text (d, dialog);
  return dialog;
}

const char *
dc_delete_dialog_get_text (GtkWidget *dialog)
{
  DeleteData *d = g_object_get_data (G_OBJECT (dialog), "dc-delete");

  return d ? d->text : NULL;
}
