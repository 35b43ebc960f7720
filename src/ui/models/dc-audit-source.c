/* dc-audit-source.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-audit-source"

#include "config.h"

#include "dc-audit-source.h"

G_DEFINE_INTERFACE (DcAuditSource, dc_audit_source, G_TYPE_OBJECT)

/* The usual end: a GTask of the implementation returning the rows. */
static GPtrArray *
task_query_finish (DcAuditSource  *self,
                   GAsyncResult   *result,
                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
dc_audit_source_default_init (DcAuditSourceInterface *iface)
{
  iface->query_finish = task_query_finish;
}

void
dc_audit_source_query_async (DcAuditSource       *self,
                             const DcAuditQuery  *query,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (DC_IS_AUDIT_SOURCE (self));
  g_return_if_fail (query != NULL);

  DC_AUDIT_SOURCE_GET_IFACE (self)->query_async (self, query, cancellable, callback, user_data);
}

GPtrArray *
dc_audit_source_query_finish (DcAuditSource  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (DC_IS_AUDIT_SOURCE (self), NULL);

  return DC_AUDIT_SOURCE_GET_IFACE (self)->query_finish (self, result, error);
}

/* The local source: the process's own DcAudit. */

#define DC_TYPE_AUDIT_LOCAL_SOURCE (dc_audit_local_source_get_type ())

G_DECLARE_FINAL_TYPE (DcAuditLocalSource, dc_audit_local_source, DC, AUDIT_LOCAL_SOURCE, GObject)

struct _DcAuditLocalSource
{
  GObject  parent_instance;

  DcAudit *audit;
};

static void source_iface_init (DcAuditSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DcAuditLocalSource, dc_audit_local_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DC_TYPE_AUDIT_SOURCE, source_iface_init))

static void
local_query_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GPtrArray *rows = dc_audit_query_finish (DC_AUDIT (object), result, &error);

  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

static void
local_query_async (DcAuditSource       *source,
                   const DcAuditQuery  *query,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  DcAuditLocalSource *self = DC_AUDIT_LOCAL_SOURCE (source);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, local_query_async);
  dc_audit_query_async (self->audit, query, cancellable, local_query_done_cb, task);
}


static void
source_iface_init (DcAuditSourceInterface *iface)
{
  iface->query_async = local_query_async;
}

static void
dc_audit_local_source_dispose (GObject *object)
{
  DcAuditLocalSource *self = DC_AUDIT_LOCAL_SOURCE (object);

  g_clear_object (&self->audit);

  G_OBJECT_CLASS (dc_audit_local_source_parent_class)->dispose (object);
}

static void
dc_audit_local_source_class_init (DcAuditLocalSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = dc_audit_local_source_dispose;
}

static void
dc_audit_local_source_init (DcAuditLocalSource *self)
{
}

DcAuditSource *
dc_audit_source_new_local (DcAudit *audit)
{
  DcAuditLocalSource *self;

  g_return_val_if_fail (DC_IS_AUDIT (audit), NULL);

  self = g_object_new (DC_TYPE_AUDIT_LOCAL_SOURCE, NULL);
  self->audit = g_object_ref (audit);
  return DC_AUDIT_SOURCE (self);
}
