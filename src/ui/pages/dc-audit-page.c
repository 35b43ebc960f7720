/* dc-audit-page.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-audit-page"

#include "config.h"

#include "dc-audit-page.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dc-audit-item.h"
#include "dc-audit-source.h"

/* Each refresh is one query with the filters (docs/ui-audit.md); a newer one cancels the
 * older. The answer replaces the rows in one splice. */

struct _DcAuditPage
{
  GtkWidget       parent_instance;

  /* Template children */
  GtkWidget      *box;
  GtkSearchEntry *text_entry;
  GtkEntry       *user_entry;
  GtkDropDown    *action_dropdown;
  GtkDropDown    *range_dropdown;
  GtkLabel       *count_label;
  GtkStack       *stack;
  GtkColumnView  *column_view;
  AdwStatusPage  *empty_page;
  GtkColumnViewColumn *time_text_column;
  GtkColumnViewColumn *role_column;
  GtkColumnViewColumn *action_column;
  GtkColumnViewColumn *target_column;
  GtkColumnViewColumn *result_column;
  GtkColumnViewColumn *source_column;

  GListStore     *rows;        /* DcAuditItem */
  DcPlantModel   *plant;
  GCancellable   *cancellable;
  guint           limit;
  gboolean        loading;
  gboolean        setting;     /* dc_audit_page_set_filters() is changing the widgets */
};

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (DcAuditPage, dc_audit_page, GTK_TYPE_WIDGET)

/* The drop-down's kinds, in its order (ui/dc-audit-page.ui). */
static const char * const action_prefixes[] = {
  NULL, "control", "alarm", "device", "term", "item", "point", "formula", "import",
  "settings", "login", "user", "server",
};

static const gint64 range_seconds[] = { 3600, 86400, 7 * 86400, 30 * 86400, 0 };

static void
set_loading (DcAuditPage *self,
             gboolean     loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
query_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr(DcAuditPage) self = g_weak_ref_get (ref);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = dc_audit_source_query_finish (DC_AUDIT_SOURCE (object), result,
                                                           &error);
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *count = NULL;

  g_weak_ref_clear (ref);
  g_free (ref);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (rows == NULL)
    {
      g_list_store_remove_all (self->rows);
      adw_status_page_set_description (self->empty_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      gtk_label_set_label (self->count_label, "");
      set_loading (self, FALSE);
      return;
    }

  /* The items take the rows. */
  g_ptr_array_set_free_func (rows, NULL);
  items = g_ptr_array_new_full (rows->len, g_object_unref);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (items, dc_audit_item_new (g_ptr_array_index (rows, i), self->plant));
  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       items->pdata, items->len);
  if (items->len >= self->limit)
    count = g_strdup_printf (_("newest %u actions"), items->len);
  else
    count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u action", "%u actions",
                                          items->len), items->len);
  gtk_label_set_label (self->count_label, count);
  adw_status_page_set_description (self->empty_page,
                                   _("Nothing in the audit log matches the filters."));
  gtk_stack_set_visible_child_name (self->stack, items->len > 0 ? "rows" : "empty");
  set_loading (self, FALSE);
}

void
dc_audit_page_refresh (DcAuditPage *self)
{
  g_autoptr(DcAuditQuery) query = dc_audit_query_new ();
  DcAuditSource *source;
  GWeakRef *ref;
  guint action;
  guint range;
  const char *text;
  g_autofree char *user = NULL;

  g_return_if_fail (DC_IS_AUDIT_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  source = self->plant != NULL ? dc_plant_model_get_audit_source (self->plant) : NULL;
  if (source == NULL)
    {
      g_list_store_remove_all (self->rows);
      gtk_label_set_label (self->count_label, _("No audit log"));
      adw_status_page_set_description (self->empty_page,
                                       _("This workstation has no audit log to show."));
      gtk_stack_set_visible_child_name (self->stack, "empty");
      set_loading (self, FALSE);
      return;
    }

  text = gtk_editable_get_text (GTK_EDITABLE (self->text_entry));
  user = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->user_entry))));
  action = gtk_drop_down_get_selected (self->action_dropdown);
  range = gtk_drop_down_get_selected (self->range_dropdown);
  query->text = text[0] != '\0' ? g_strdup (text) : NULL;
  query->user = user[0] != '\0' ? g_steal_pointer (&user) : NULL;
  query->action = action < G_N_ELEMENTS (action_prefixes) ? g_strdup (action_prefixes[action])
                                                           : NULL;
  if (range < G_N_ELEMENTS (range_seconds) && range_seconds[range] > 0)
    query->from = g_get_real_time () - range_seconds[range] * G_USEC_PER_SEC;
  query->limit = self->limit;

  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  dc_audit_source_query_async (source, query, self->cancellable, query_done_cb, ref);
}

static void
filter_changed_cb (DcAuditPage *self)
{
  if (!self->setting && gtk_widget_get_mapped (GTK_WIDGET (self)))
    dc_audit_page_refresh (self);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  dc_audit_page_refresh (DC_AUDIT_PAGE (widget));
}

gboolean
dc_audit_page_export_csv (DcAuditPage  *self,
                          GFile        *file,
                          GError      **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autofree char *csv = NULL;
  guint n;

  g_return_val_if_fail (DC_IS_AUDIT_PAGE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DcAuditItem) item = g_list_model_get_item (G_LIST_MODEL (self->rows), i);

      /* Borrowed: the items stay in the store during the write. */
      g_ptr_array_add (rows, (gpointer) dc_audit_item_get_row (item));
    }
  csv = dc_audit_rows_to_csv (rows);
  return g_file_replace_contents (file, csv, strlen (csv), NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

static void
export_response_cb (GtkNativeDialog *native,
                    int              response,
                    gpointer         user_data)
{
  g_autoptr(DcAuditPage) self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      if (!dc_audit_page_export_csv (self, file, &error) && GTK_IS_WINDOW (root))
        {
          GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (root), _("Export Failed"),
                                                      error->message);

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
    }
  g_object_unref (native);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Export the Audit Log as CSV"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), "audit.csv");
  g_signal_connect (native, "response", G_CALLBACK (export_response_cb), g_object_ref (widget));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
dc_audit_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (dc_audit_page_parent_class)->map (widget);

  /* Shown: what happened since it was last looked at. */
  dc_audit_page_refresh (DC_AUDIT_PAGE (widget));
}

static void
dc_audit_page_dispose (GObject *object)
{
  DcAuditPage *self = DC_AUDIT_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), DC_TYPE_AUDIT_PAGE);
  g_clear_object (&self->plant);
  g_clear_object (&self->rows);

  G_OBJECT_CLASS (dc_audit_page_parent_class)->dispose (object);
}

static void
dc_audit_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  DcAuditPage *self = DC_AUDIT_PAGE (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_audit_page_class_init (DcAuditPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dc_audit_page_dispose;
  object_class->get_property = dc_audit_page_get_property;
  widget_class->map = dc_audit_page_map;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (DC_TYPE_AUDIT_ITEM);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/datacoll/DataColl/ui/dc-audit-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, box);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, text_entry);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, user_entry);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, action_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, range_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, stack);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, time_text_column);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, role_column);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, action_column);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, target_column);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, result_column);
  gtk_widget_class_bind_template_child (widget_class, DcAuditPage, source_column);
  gtk_widget_class_install_action (widget_class, "audit.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "audit.export", NULL, export_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
dc_audit_page_init (DcAuditPage *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->limit = DC_AUDIT_DEFAULT_LIMIT;
  self->rows = g_list_store_new (DC_TYPE_AUDIT_ITEM);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->rows)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  gtk_stack_set_visible_child_name (self->stack, "empty");

  g_signal_connect_swapped (self->text_entry, "search-changed", G_CALLBACK (filter_changed_cb),
                            self);
  g_signal_connect_swapped (self->user_entry, "activate", G_CALLBACK (filter_changed_cb), self);
  g_signal_connect_swapped (self->action_dropdown, "notify::selected",
                            G_CALLBACK (filter_changed_cb), self);
  g_signal_connect_swapped (self->range_dropdown, "notify::selected",
                            G_CALLBACK (filter_changed_cb), self);
}

void
dc_audit_page_set_plant (DcAuditPage  *self,
                         DcPlantModel *plant)
{
  g_return_if_fail (DC_IS_AUDIT_PAGE (self));
  g_return_if_fail (plant == NULL || DC_IS_PLANT_MODEL (plant));

  if (!g_set_object (&self->plant, plant))
    return;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    dc_audit_page_refresh (self);
}

gboolean
dc_audit_page_is_loading (DcAuditPage *self)
{
  g_return_val_if_fail (DC_IS_AUDIT_PAGE (self), FALSE);
  return self->loading;
}

GListModel *
dc_audit_page_get_model (DcAuditPage *self)
{
  g_return_val_if_fail (DC_IS_AUDIT_PAGE (self), NULL);
  return G_LIST_MODEL (self->rows);
}

void
dc_audit_page_set_filters (DcAuditPage  *self,
                           const char   *text,
                           const char   *user,
                           const char   *action,
                           DcAuditRange  range)
{
  guint index = 0;

  g_return_if_fail (DC_IS_AUDIT_PAGE (self));

  for (guint i = 1; action != NULL && i < G_N_ELEMENTS (action_prefixes); i++)
    if (g_str_equal (action, action_prefixes[i]))
      index = i;
  g_return_if_fail (action == NULL || index > 0);

  self->setting = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->text_entry), text != NULL ? text : "");
  gtk_editable_set_text (GTK_EDITABLE (self->user_entry), user != NULL ? user : "");
  gtk_drop_down_set_selected (self->action_dropdown, index);
  gtk_drop_down_set_selected (self->range_dropdown, range);
  self->setting = FALSE;
  dc_audit_page_refresh (self);
}

void
dc_audit_page_set_narrow (DcAuditPage *self,
                          gboolean     narrow)
{
  GtkColumnViewColumn *hidden[] = { self->role_column, self->action_column, self->target_column,
                                    self->result_column, self->source_column };

  g_return_if_fail (DC_IS_AUDIT_PAGE (self));

  for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
    gtk_column_view_column_set_visible (hidden[i], !narrow);
  /* "14:02:11" fits; an older row's date is in the tooltip. */
  gtk_column_view_column_set_fixed_width (self->time_text_column, narrow ? 80 : 150);
}

const char *
dc_audit_page_get_count_text (DcAuditPage *self)
{
  g_return_val_if_fail (DC_IS_AUDIT_PAGE (self), NULL);
  return gtk_label_get_label (self->count_label);
}
