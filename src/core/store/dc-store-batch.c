/* dc-store-batch.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-store"

#include "config.h"

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-store-private.h"

/* v2 batches (docs/rest.md): all elements in one transaction, all or nothing. */

/* " (element <n>, id <id>)" after the first failing element's error. */
static gboolean
batch_error (GError    **error,
             GError     *inner,
             guint       index,
             const char *id)
{
  g_set_error (error, inner->domain, inner->code, "%s (element %u, id %s)",
               inner->message, index, id ? id : "");
  g_error_free (inner);
  return FALSE;
}

/* One element of a v2 batch, inside the batch's transaction. */
typedef gboolean (*BatchFunc) (DcStore   *self,
                               DcKind     kind,
                               JsonNode  *element,
                               GError   **error);

static gboolean
create_element (DcStore   *self,
                DcKind     kind,
                JsonNode  *element,
                GError   **error)
{
  g_autoptr(JsonObject) copy = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (element))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "element must be an object");
      return FALSE;
    }
  copy = json_object_ref (json_node_get_object (element));
  return _dc_store_create_in_tx (self, kind, copy, error);
}

static gboolean
delete_element (DcStore   *self,
                DcKind     kind,
                JsonNode  *element,
                GError   **error)
{
  g_autofree char *id = _dc_store_element_id (kind, element);
  GError *inner = NULL;

  if (kind == DC_KIND_POINT)
    {
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      g_autofree char *term_id = NULL;
      g_autofree char *item_id = NULL;

      if (object == NULL)
        g_set_error_literal (&inner, DC_ERROR, DC_ERROR_INVALID,
                             "element must be an object with term_id and item_id");
      else if (!json_object_has_member (object, "term_id"))
        g_set_error_literal (&inner, DC_ERROR, DC_ERROR_INVALID, "missing field: term_id");
      else if (!json_object_has_member (object, "item_id"))
        g_set_error_literal (&inner, DC_ERROR, DC_ERROR_INVALID, "missing field: item_id");
      else if ((term_id = dc_model_id_from_node (json_object_get_member (object, "term_id"),
                                                 "term_id", &inner)) != NULL &&
               (item_id = dc_model_id_from_node (json_object_get_member (object, "item_id"),
                                                 "item_id", &inner)) != NULL)
        {
          g_autofree char *term_device = _dc_store_term_device_of (self, term_id);
          const char *device_id = dc_json_get_string (object, "device_id", NULL);
          g_autofree char *device_norm = NULL;

          if (json_object_has_member (object, "device_id"))
            device_norm = dc_model_id_from_node (json_object_get_member (object, "device_id"),
                                                 "device_id", NULL);
          device_id = device_norm ? device_norm : device_id;
          if (device_id != NULL && !_dc_store_exists (self, DC_KIND_DEVICE, device_id))
            _dc_store_not_found (DC_KIND_DEVICE, &inner);
          else if (device_id != NULL && term_device != NULL &&
                   !g_str_equal (device_id, term_device))
            _dc_store_not_found (DC_KIND_POINT, &inner);
          else
            _dc_store_delete_point_in_tx (self, term_id, item_id, &inner);
        }
    }
  else if (id == NULL)
    {
      if (element != NULL)
        g_free (dc_model_id_from_node (element, "id", &inner));
      if (inner == NULL)
        g_set_error_literal (&inner, DC_ERROR, DC_ERROR_INVALID,
                             "field id must be a string or an integer");
    }
  else
    _dc_store_delete_in_tx (self, kind, id, &inner);

  if (inner != NULL)
    {
      g_propagate_error (error, inner);
      return FALSE;
    }
  return TRUE;
}

/* All elements in one transaction; the first failure rolls everything back and names its
 * element: " (element <n>, id <id>)". */
static gboolean
run_batch (DcStore    *self,
           DcKind      kind,
           JsonArray  *elements,
           BatchFunc   func,
           GError    **error)
{
  guint n = json_array_get_length (elements);
  /* Only points are written: the terms and items they name stay as they are. */
  gboolean memo = kind == DC_KIND_POINT && func == create_element;

  if (!_dc_store_begin (self, error))
    return FALSE;

  if (memo)
    _dc_store_memo_begin (self);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (elements, i);
      GError *inner = NULL;

      if (!func (self, kind, element, &inner))
        {
          g_autofree char *id = _dc_store_element_id (kind, element);

          if (memo)
            _dc_store_memo_end (self);
          _dc_store_rollback (self);
          return batch_error (error, inner, i, id);
        }
    }
  if (memo)
    _dc_store_memo_end (self);

  return _dc_store_commit (self, error);
}

gboolean
dc_store_create_batch (DcStore     *self,
                       DcKind       kind,
                       JsonArray   *objects,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (objects != NULL, FALSE);

  ok = run_batch (self, kind, objects, create_element, &local_error);
  _dc_store_audit_batch (self, kind, DC_CHANGE_CREATE, objects, local_error);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}

gboolean
dc_store_delete_batch (DcStore     *self,
                       DcKind       kind,
                       JsonArray   *ids,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (ids != NULL, FALSE);

  ok = run_batch (self, kind, ids, delete_element, &local_error);
  _dc_store_audit_batch (self, kind, DC_CHANGE_DELETE, ids, local_error);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}
