/* dc-store-edit.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-store"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-sample.h"
#include "dc-formula-graph.h"
#include "dc-protocol.h"
#include "dc-store-private.h"

/* Creates, and the checks they share with updates (dc-store-update.c). Every public write is one
 * transaction; the *_in_tx helpers run inside one. */

char *
_dc_store_device_protocol_of (DcStore    *self,
                              const char *device_id)
{
  /* Only the member (sqlite extracts it): this runs for every point stored. */
  g_autoptr(sqlite3_stmt) stmt = _dc_store_prepare (self, "SELECT json_extract (body, '$.protocol') "
                                                    "FROM devices WHERE id = ?", NULL);

  if (stmt == NULL)
    return NULL;
  _dc_store_bind_text (stmt, 1, device_id);
  if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_type (stmt, 0) != SQLITE_TEXT)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static gint64
term_address_read (DcStore    *self,
                   const char *term_id)
{
  g_autoptr(sqlite3_stmt) stmt = _dc_store_prepare (self, "SELECT json_extract (body, '$.address'), "
                                                    "body FROM terms WHERE id = ?", NULL);
  g_autoptr(JsonObject) body = NULL;

  if (stmt == NULL)
    return 1;
  _dc_store_bind_text (stmt, 1, term_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 1;
  /* An integer (the usual case) without parsing the body; anything else as before. */
  if (sqlite3_column_type (stmt, 0) == SQLITE_INTEGER)
    return sqlite3_column_int64 (stmt, 0);
  body = _dc_store_parse_body ((const char *) sqlite3_column_text (stmt, 1));
  return dc_json_get_int (body, "address", 1);
}

/* While a v2 batch of points runs (dc-store-batch.c), the devices, terms and items its points
 * name do not change: each term's device, protocol and address, and whether an item exists,
 * are read once per batch instead of once per point. */
typedef struct
{
  char   *device_id;
  char   *protocol;
  gint64  address;
} TermMemo;

static void
term_memo_free (TermMemo *memo)
{
  g_free (memo->device_id);
  g_free (memo->protocol);
  g_free (memo);
}

/* The address range of a neighbour (_dc_store_check_address_unique), by term address,
 * protocol_code and code_type: a batch's points mostly share a few code types. */
typedef struct
{
  gboolean  ok;
  char     *space;
  gint64    first;
  gint64    last;
  int       bit;
} AddressMemo;

static void
address_memo_free (AddressMemo *memo)
{
  g_free (memo->space);
  g_free (memo);
}

void
_dc_store_memo_begin (DcStore *self)
{
  g_return_if_fail (self->term_memo == NULL);

  self->term_memo = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) term_memo_free);
  self->item_memo = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->address_memo = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) address_memo_free);
}

void
_dc_store_memo_end (DcStore *self)
{
  g_clear_pointer (&self->term_memo, g_hash_table_unref);
  g_clear_pointer (&self->item_memo, g_hash_table_unref);
  g_clear_pointer (&self->address_memo, g_hash_table_unref);
}

/* @term_id's memo while a batch runs, else NULL (also for a term without device). */
static const TermMemo *
term_memo_get (DcStore    *self,
               const char *term_id)
{
  TermMemo *memo;
  g_autofree char *device_id = NULL;

  if (self->term_memo == NULL)
    return NULL;
  memo = g_hash_table_lookup (self->term_memo, term_id);
  if (memo != NULL)
    return memo;
  device_id = _dc_store_term_device_of (self, term_id);
  if (device_id == NULL)
    return NULL;
  memo = g_new0 (TermMemo, 1);
  memo->protocol = _dc_store_device_protocol_of (self, device_id);
  memo->device_id = g_steal_pointer (&device_id);
  memo->address = term_address_read (self, term_id);
  g_hash_table_insert (self->term_memo, g_strdup (term_id), memo);
  return memo;
}

static gint64
term_address_of (DcStore    *self,
                 const char *term_id)
{
  const TermMemo *memo = term_memo_get (self, term_id);

  return memo != NULL ? memo->address : term_address_read (self, term_id);
}

static gboolean
item_exists (DcStore    *self,
             const char *item_id)
{
  if (self->item_memo != NULL && g_hash_table_contains (self->item_memo, item_id))
    return TRUE;
  if (!_dc_store_exists (self, DC_KIND_ITEM, item_id))
    return FALSE;
  if (self->item_memo != NULL)
    g_hash_table_add (self->item_memo, g_strdup (item_id));
  return TRUE;
}

/* docs/rest.md "Address uniqueness": one IEC 104 point per (device, CA, IOA); Modbus register
 * ranges on one (device, unit, table) must not overlap, except bitN points sharing a register. */
gboolean
_dc_store_check_address_unique (DcStore    *self,
                                JsonObject *point,
                                const char *device_id,
                                const char *protocol,
                                GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) addresses = NULL;
  g_autofree char *space = NULL;
  gint64 first, last;
  int bit;
  const char *term_id = json_object_get_string_member (point, "term_id");
  const char *item_id = json_object_get_string_member (point, "item_id");

  if (!dc_protocol_point_address (protocol, point, term_address_of (self, term_id),
                                  &space, &first, &last, &bit))
    return TRUE;

  /* Only the address fields of the device's other points near the address, extracted by
   * sqlite: this runs for every point stored. The range is read from the index
   * points_by_term_code (dc-store.c, the same expression), so a check costs the neighbours,
   * not the device. */
  stmt = _dc_store_prepare (self,
                            "SELECT p.term_id, p.item_id, json_extract (p.body, '$.protocol_code'), "
                            "json_extract (p.body, '$.code_type') "
                            "FROM points p JOIN terms t ON t.id = p.term_id WHERE t.device_id = ?1 "
                            "AND CAST (json_extract (p.body, '$.protocol_code') AS INTEGER) "
                            "BETWEEN ?2 AND ?3",
                            error);
  if (stmt == NULL)
    return FALSE;
  _dc_store_bind_text (stmt, 1, device_id);
  /* An address range is at most 4 registers wide (64-bit types) and starts at protocol_code:
   * only points starting in [first - 3, last] can overlap [first, last]. */
  sqlite3_bind_int64 (stmt, 2, first - 3);
  sqlite3_bind_int64 (stmt, 3, last);
  /* One lookup per term, not per point: a device's points share a few terms. */
  addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *o_term = (const char *) sqlite3_column_text (stmt, 0);
      const char *o_item = (const char *) sqlite3_column_text (stmt, 1);
      int types[2] = { sqlite3_column_type (stmt, 2), sqlite3_column_type (stmt, 3) };
      g_autoptr(JsonObject) other = NULL;
      g_autofree char *o_space = NULL;
      g_autofree char *memo_key = NULL;
      const AddressMemo *memo = NULL;
      gint64 o_first = 0, o_last = -1, o_address;
      gpointer cached;
      int o_bit = -1;

      if (g_str_equal (o_term, term_id) && g_str_equal (o_item, item_id))
        continue;
      if (g_hash_table_lookup_extended (addresses, o_term, NULL, &cached))
        o_address = GPOINTER_TO_SIZE (cached);
      else
        {
          o_address = term_address_of (self, o_term);
          g_hash_table_insert (addresses, g_strdup (o_term), GSIZE_TO_POINTER ((gsize) o_address));
        }
      if (self->address_memo != NULL)
        {
          const char *code = (const char *) sqlite3_column_text (stmt, 2);
          const char *type = (const char *) sqlite3_column_text (stmt, 3);

          memo_key = g_strdup_printf ("%s|%" G_GINT64_FORMAT "|%d:%s|%d:%s", protocol ? protocol : "",
                                      o_address, types[0], code ? code : "", types[1],
                                      type ? type : "");
          memo = g_hash_table_lookup (self->address_memo, memo_key);
        }
      if (memo != NULL)
        {
          if (!memo->ok)
            continue;
          o_space = g_strdup (memo->space);
          o_first = memo->first;
          o_last = memo->last;
          o_bit = memo->bit;
        }
      else
        {
          gboolean ok;

          other = json_object_new ();
          for (int column = 2; column <= 3; column++)
            {
              const char *field = column == 2 ? "protocol_code" : "code_type";

              switch (types[column - 2])
                {
                case SQLITE_INTEGER:
                  json_object_set_int_member (other, field, sqlite3_column_int64 (stmt, column));
                  break;
                case SQLITE_FLOAT:
                  json_object_set_double_member (other, field, sqlite3_column_double (stmt, column));
                  break;
                case SQLITE_TEXT:
                  json_object_set_string_member (other, field,
                                                 (const char *) sqlite3_column_text (stmt, column));
                  break;
                default:
                  break;
                }
            }
          ok = dc_protocol_point_address (protocol, other, o_address,
                                          &o_space, &o_first, &o_last, &o_bit);
          if (memo_key != NULL)
            {
              AddressMemo *m = g_new0 (AddressMemo, 1);

              *m = (AddressMemo) { ok, g_strdup (o_space), o_first, o_last, o_bit };
              g_hash_table_insert (self->address_memo, g_steal_pointer (&memo_key), m);
            }
          if (!ok)
            continue;
        }
      if (!g_str_equal (space, o_space) || o_last < first || o_first > last)
        continue;
      if (bit >= 0 && o_bit >= 0 && bit != o_bit)
        continue;

      g_set_error (error, DC_ERROR, DC_ERROR_EXISTS,
                   "protocol_code already used by %s:%s!", o_term, o_item);
      return FALSE;
    }

  return TRUE;
}

static gint64
formula_of_result (DcStore    *self,
                   gint64      key,
                   char      **formula_id)
{
  g_autoptr(sqlite3_stmt) stmt = _dc_store_prepare (self, "SELECT id FROM formulas WHERE result_key = ?", NULL);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, key);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  if (formula_id)
    *formula_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return key;
}

static gboolean
insert_row (DcStore    *self,
            const char *sql,
            const char *a,
            const char *b,
            const char *c,
            gint64      key,
            GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = _dc_store_prepare (self, sql, error);
  int i = 1;

  if (stmt == NULL)
    return FALSE;
  if (key != 0)
    sqlite3_bind_int64 (stmt, i++, key);
  _dc_store_bind_text (stmt, i++, a);
  if (b != NULL)
    _dc_store_bind_text (stmt, i++, b);
  if (c != NULL)
    _dc_store_bind_text (stmt, i++, c);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return _dc_store_set_sqlite_error (self, error);
  return TRUE;
}

/* Validates a formula's result point: it exists, sits on a formula device, and no other formula
 * computes it. Returns its key. */
gint64
_dc_store_check_formula_result (DcStore    *self,
                                JsonObject *formula,
                                const char *self_id,
                                GError    **error)
{
  const char *device_id = json_object_get_string_member (formula, "device_id");
  const char *term_id = json_object_get_string_member (formula, "term_id");
  const char *item_id = json_object_get_string_member (formula, "item_id");
  g_autofree char *term_device = _dc_store_term_device_of (self, term_id);
  g_autofree char *protocol = NULL;
  g_autofree char *other = NULL;
  gint64 key = dc_store_get_point_key (self, term_id, item_id);

  if (key == 0 || g_strcmp0 (term_device, device_id) != 0)
    return _dc_store_not_found (DC_KIND_POINT, error), 0;

  protocol = _dc_store_device_protocol_of (self, device_id);
  if (g_strcmp0 (protocol, "formula") != 0)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "result point %s:%s:%s must be on a formula device", device_id, term_id, item_id);
      return 0;
    }

  if (formula_of_result (self, key, &other) != 0 && g_strcmp0 (other, self_id) != 0)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_EXISTS, "point already computed by formula %s!", other);
      return 0;
    }

  return key;
}

/* A formula's result point stays on a formula device: neither a term that moves to another
 * device nor a device whose protocol changes may take one elsewhere (found by fuzz-import: the
 * store then held a configuration it refuses to import again). @term_id NULL: every term of
 * @device_id. */
gboolean
_dc_store_check_results_stay (DcStore    *self,
                              const char *device_id,
                              const char *term_id,
                              GError    **error)
{
  g_autofree char *protocol = _dc_store_device_protocol_of (self, device_id);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (g_strcmp0 (protocol, "formula") == 0)
    return TRUE;
  stmt = _dc_store_prepare (self,
                            "SELECT f.id, p.term_id, p.item_id FROM formulas f "
                            "JOIN points p ON p.key = f.result_key "
                            "JOIN terms t ON t.id = p.term_id "
                            "WHERE t.device_id = ?1 AND (?2 IS NULL OR t.id = ?2) LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  _dc_store_bind_text (stmt, 1, device_id);
  if (term_id != NULL)
    _dc_store_bind_text (stmt, 2, term_id);
  else
    sqlite3_bind_null (stmt, 2);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return TRUE;
  g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
               "result point %s:%s:%s of formula %s must be on a formula device", device_id,
               (const char *) sqlite3_column_text (stmt, 1),
               (const char *) sqlite3_column_text (stmt, 2),
               (const char *) sqlite3_column_text (stmt, 0));
  return FALSE;
}

gboolean
_dc_store_create_in_tx (DcStore    *self,
                        DcKind      kind,
                        JsonObject *object,
                        GError    **error)
{
  g_autofree char *body = NULL;
  g_autofree char *protocol = NULL;
  const char *id = NULL;

  /* Ids first so that errors about the parent use the normalised id. */
  switch (kind)
    {
    case DC_KIND_DEVICE:
    case DC_KIND_ITEM:
      if (!dc_model_validate (kind, object, NULL, error))
        return FALSE;
      id = json_object_get_string_member (object, "id");
      if (_dc_store_exists (self, kind, id))
        {
          g_set_error_literal (error, DC_ERROR, DC_ERROR_EXISTS, dc_kind_exists_text (kind));
          return FALSE;
        }
      body = _dc_store_body_to_string (object, _dc_store_identity_fields (kind));
      if (!insert_row (self, kind == DC_KIND_DEVICE ?
                             "INSERT INTO devices (id, body) VALUES (?, ?)" :
                             "INSERT INTO items (id, body) VALUES (?, ?)",
                       id, body, NULL, 0, error))
        return FALSE;
      break;

    case DC_KIND_TERM:
      {
        g_autofree char *device_id = NULL;
        JsonNode *node = json_object_get_member (object, "device_id");

        if (node == NULL || JSON_NODE_HOLDS_NULL (node))
          {
            g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "missing field: device_id");
            return FALSE;
          }
        device_id = dc_model_id_from_node (node, "device_id", error);
        if (device_id == NULL)
          return FALSE;
        protocol = _dc_store_device_protocol_of (self, device_id);
        if (!dc_model_validate (kind, object, protocol, error))
          return FALSE;
        id = json_object_get_string_member (object, "id");
        if (protocol == NULL)
          return _dc_store_not_found (DC_KIND_DEVICE, error);
        if (_dc_store_exists (self, kind, id))
          {
            g_set_error_literal (error, DC_ERROR, DC_ERROR_EXISTS, dc_kind_exists_text (kind));
            return FALSE;
          }
        body = _dc_store_body_to_string (object, _dc_store_identity_fields (kind));
        if (!insert_row (self, "INSERT INTO terms (id, device_id, body) VALUES (?, ?, ?)",
                         id, device_id, body, 0, error))
          return FALSE;
      }
      break;

    case DC_KIND_POINT:
      {
        g_autofree char *term_id = NULL;
        g_autofree char *device_id = NULL;
        g_autofree char *point_id = NULL;
        JsonNode *node = json_object_get_member (object, "term_id");
        const TermMemo *memo;
        const char *item_id;

        if (node == NULL || JSON_NODE_HOLDS_NULL (node))
          {
            g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "missing field: term_id");
            return FALSE;
          }
        term_id = dc_model_id_from_node (node, "term_id", error);
        if (term_id == NULL)
          return FALSE;
        memo = term_memo_get (self, term_id);
        if (memo != NULL)
          {
            device_id = g_strdup (memo->device_id);
            protocol = g_strdup (memo->protocol);
          }
        else if ((device_id = _dc_store_term_device_of (self, term_id)) != NULL)
          protocol = _dc_store_device_protocol_of (self, device_id);
        if (!dc_model_validate (kind, object, protocol, error))
          return FALSE;
        if (device_id == NULL)
          return _dc_store_not_found (DC_KIND_TERM, error);
        item_id = json_object_get_string_member (object, "item_id");
        if (!item_exists (self, item_id))
          return _dc_store_not_found (DC_KIND_ITEM, error);
        if (dc_store_get_point_key (self, term_id, item_id) != 0)
          {
            g_set_error_literal (error, DC_ERROR, DC_ERROR_EXISTS, dc_kind_exists_text (kind));
            return FALSE;
          }
        json_object_set_string_member (object, "device_id", device_id);
        if (!_dc_store_check_address_unique (self, object, device_id, protocol, error))
          return FALSE;
        body = _dc_store_body_to_string (object, _dc_store_identity_fields (kind));
        if (!insert_row (self, "INSERT INTO points (term_id, item_id, body) VALUES (?, ?, ?)",
                         term_id, item_id, body, 0, error))
          return FALSE;
        point_id = g_strconcat (term_id, ":", item_id, NULL);
        _dc_store_queue_change (self, kind, DC_CHANGE_CREATE, point_id, NULL);
        return TRUE;
      }

    case DC_KIND_FORMULA:
      {
        gint64 key;

        if (!dc_model_validate (kind, object, NULL, error))
          return FALSE;
        id = json_object_get_string_member (object, "id");
        if (_dc_store_exists (self, kind, id))
          {
            g_set_error_literal (error, DC_ERROR, DC_ERROR_EXISTS, dc_kind_exists_text (kind));
            return FALSE;
          }
        key = _dc_store_check_formula_result (self, object, id, error);
        if (key == 0 || !dc_formula_graph_check_cycle (self, id, object, error))
          return FALSE;
        body = _dc_store_body_to_string (object, _dc_store_identity_fields (kind));
        if (!insert_row (self, "INSERT INTO formulas (result_key, id, body) VALUES (?, ?, ?)",
                         id, body, NULL, key, error))
          return FALSE;
      }
      break;

    case DC_N_KINDS:
    default:
      g_assert_not_reached ();
    }

  _dc_store_queue_change (self, kind, DC_CHANGE_CREATE, id, NULL);
  return TRUE;
}

gboolean
dc_store_create (DcStore     *self,
                 DcKind       kind,
                 JsonObject  *object,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  if (!_dc_store_begin (self, error))
    return FALSE;
  ok = _dc_store_end (self, _dc_store_create_in_tx (self, kind, object, &local_error),
                      &local_error);
  if (self->audit != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
      g_autofree char *id = _dc_store_element_id (kind, node);

      _dc_store_audit_change (self, kind, DC_CHANGE_CREATE, id, NULL, NULL, object, local_error);
    }
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}
