/* dc-store-audit.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-store"

#include "config.h"

#include <string.h>

#include "dc-store-private.h"

#include "dc-audit.h"
#include "dc-point-id.h"

/* Configuration changes in the audit log (docs/security.md, "What is recorded"): each
 * create, update and delete of the public API leaves one row "<entity>.<op>" (device.create,
 * point.update, formula.delete, …) with the current actor (dc-audit-actor.h), the id as target
 * (a point: "device:term:item"), the detail {"entity","id","old","new"} and the result "ok" or
 * the error text. A batch leaves one row with the ids (an applied import its row "import":
 * dc-store-import.c). Nothing is read or written when the store has no audit log. */

void
dc_store_set_audit (DcStore *self,
                    DcAudit *audit)
{
  g_return_if_fail (DC_IS_STORE (self));
  g_return_if_fail (audit == NULL || DC_IS_AUDIT (audit));

  g_set_object (&self->audit, audit);
}

DcAudit *
dc_store_get_audit (DcStore *self)
{
  g_return_val_if_fail (DC_IS_STORE (self), NULL);

  return self->audit;
}

/* The entity @id of @kind as it is now (a point: "term:item"), or NULL. */
static JsonObject *
get_any (DcStore    *self,
         DcKind      kind,
         const char *id)
{
  if (id == NULL)
    return NULL;
  if (kind == DC_KIND_POINT)
    {
      g_autofree char *term_id = NULL;
      const char *item_id;

      if (!dc_point_id_split (id, &term_id, &item_id))
        return NULL;
      return dc_store_get_point (self, term_id, item_id, NULL);
    }
  return dc_store_get (self, kind, id, NULL);
}

JsonObject *
_dc_store_audit_before (DcStore    *self,
                        DcKind      kind,
                        const char *id)
{
  if (self->audit == NULL)
    return NULL;
  return get_any (self, kind, id);
}

static char *
target_of (DcKind      kind,
           const char *id,
           JsonObject *object)
{
  if (kind == DC_KIND_POINT && object != NULL &&
      json_object_get_string_member_with_default (object, "device_id", NULL) != NULL)
    return g_strconcat (json_object_get_string_member (object, "device_id"), ":", id, NULL);
  return g_strdup (id != NULL ? id : "");
}

static void
set_object_or_null (JsonObject *detail,
                    const char *name,
                    JsonObject *object)
{
  if (object != NULL)
    json_object_set_object_member (detail, name, json_object_ref (object));
  else
    json_object_set_null_member (detail, name);
}

void
_dc_store_audit_change (DcStore      *self,
                        DcKind        kind,
                        DcChangeOp    op,
                        const char   *id,
                        const char   *new_id,
                        JsonObject   *old,
                        JsonObject   *request,
                        const GError *error)
{
  g_autoptr(JsonObject) now = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *action = NULL;
  g_autofree char *target = NULL;
  JsonObject *detail;

  if (self->audit == NULL)
    return;

  if (error == NULL && op != DC_CHANGE_DELETE)
    now = get_any (self, kind, new_id != NULL ? new_id : id);
  detail = json_object_new ();
  json_object_set_string_member (detail, "entity", dc_kind_to_string (kind));
  json_object_set_string_member (detail, "id", id != NULL ? id : "");
  if (new_id != NULL && g_strcmp0 (new_id, id) != 0)
    json_object_set_string_member (detail, "new_id", new_id);
  if (op != DC_CHANGE_CREATE)
    set_object_or_null (detail, "old", old);
  if (op != DC_CHANGE_DELETE)
    set_object_or_null (detail, "new", now != NULL ? now : request);

  action = g_strconcat (dc_kind_to_string (kind), ".", dc_change_op_to_string (op), NULL);
  target = target_of (kind, id, now != NULL ? now : old != NULL ? old : request);
  node = json_node_init_object (json_node_alloc (), detail);
  json_object_unref (detail);
  dc_audit_record (self->audit, NULL, action, target, node,
                   error != NULL ? error->message : "ok");
}

void
_dc_store_audit_batch (DcStore      *self,
                       DcKind        kind,
                       DcChangeOp    op,
                       JsonArray    *elements,
                       const GError *error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *action = NULL;
  JsonObject *detail;
  JsonArray *ids;
  guint n;

  if (self->audit == NULL)
    return;

  n = json_array_get_length (elements);
  detail = json_object_new ();
  ids = json_array_sized_new (n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = _dc_store_element_id (kind, json_array_get_element (elements, i));

      json_array_add_string_element (ids, id != NULL ? id : "");
    }
  json_object_set_string_member (detail, "entity", dc_kind_to_string (kind));
  json_object_set_int_member (detail, "count", n);
  json_object_set_array_member (detail, "ids", ids);
  if (op == DC_CHANGE_CREATE)
    json_object_set_array_member (detail, "new", json_array_ref (elements));

  action = g_strconcat (dc_kind_to_string (kind), ".", dc_change_op_to_string (op), NULL);
  node = json_node_init_object (json_node_alloc (), detail);
  json_object_unref (detail);
  dc_audit_record (self->audit, NULL, action, "", node, error != NULL ? error->message : "ok");
}
