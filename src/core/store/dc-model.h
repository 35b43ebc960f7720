/* dc-model.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Entities are JSON objects as the client sent them (unknown fields kept, types kept),
 * validated and normalised by this module. Id fields are always strings after
 * normalisation. Typed views for the engine (DcPointInfo) are derived from the JSON. */
typedef enum
{
  DC_KIND_DEVICE,
  DC_KIND_TERM,
  DC_KIND_ITEM,
  DC_KIND_POINT,
  DC_KIND_FORMULA,
  DC_N_KINDS
} DcKind;

typedef enum
{
  DC_CHANGE_CREATE,
  DC_CHANGE_UPDATE,
  DC_CHANGE_DELETE,
} DcChangeOp;

typedef enum
{
  DC_HISTORY_CHANGE,
  DC_HISTORY_ALL,
  DC_HISTORY_NONE,
} DcHistoryMode;

/* "device", "term", "item", "point", "formula" */
const char *dc_kind_to_string      (DcKind      kind);
/* "create", "update", "delete" */
const char *dc_change_op_to_string (DcChangeOp  op);
/* Compat texts: "device_id not found!", …, "term_item not found!" */
const char *dc_kind_not_found_text (DcKind      kind);
/* Compat texts: "device already exists!", …, "term_item already exists!" */
const char *dc_kind_exists_text    (DcKind      kind);

/* Id rules of docs/rest.md: 1–64 Unicode characters, no '/', ':', '*', whitespace or control. */
gboolean    dc_model_id_is_valid   (const char *id);
/* Reads an id field: a string, or a JSON integer that becomes its decimal string. Errors
 * (DC_ERROR_INVALID) name the field: "field id must be a string or an integer". */
char       *dc_model_id_from_node  (JsonNode   *node,
                                    const char *field,
                                    GError    **error);
/* Natural order: numeric ids numerically first, then strings (collated). */
int         dc_natural_compare     (const char *a,
                                    const char *b);
void        dc_natural_sort        (GPtrArray  *ids);

/* Validates @object of @kind in place: required fields, every known field's type and range
 * (numeric strings accepted and validated by value), id fields normalised to strings,
 * `status` removed (engine-owned). Messages name the field and rule, e.g.
 * "missing field: id", "field port must be an integer between 1 and 65535". For terms and
 * points, @device_protocol (nullable) selects the protocol's checks of the term address and of
 * protocol_code and code_type (dc-protocol.h: the registered protocol's knowledge). */
gboolean    dc_model_validate      (DcKind      kind,
                                    JsonObject *object,
                                    const char *device_protocol,
                                    GError    **error);

/* Aliases (docs/model.md "Fields"): a point's `low_limit` and `high_limit` are stored as
 * `down_limit` and `up_limit`. In an object (@patch FALSE) the alias is moved to its field; in
 * a merge patch (@patch TRUE, before merging) it is copied to its field and set to null, so
 * that the merge also drops an alias stored before. Both names with different values:
 * DC_ERROR_INVALID "field low_limit is another name for down_limit and differs from it".
 * Other kinds have no aliases. dc_model_validate() does the object case. */
gboolean    dc_model_normalize_aliases (DcKind      kind,
                                        JsonObject *object,
                                        gboolean    patch,
                                        GError    **error);
/* The field that @name is an alias of ("down_limit" for "low_limit"), else NULL. */
const char *dc_model_alias_field       (DcKind      kind,
                                        const char *name);
/* Appends the names of @kind's fields that do not depend on the protocol (static strings):
 * identity fields and those the validation checks. A formula's p1…pN and the protocols' own
 * fields (dc-protocol.h) are not listed. */
void        dc_model_append_field_names (DcKind     kind,
                                         GPtrArray *names);

/* A typed view of a point for the engine, history and plugins. Immutable once made and
 * reference counted (atomically: drivers read it from their I/O threads): the store keeps one
 * per point and every subscriber shares it (docs/performance.md, "One copy of each point").
 * The id, protocol_code and code_type strings are interned GRefStrings (one copy of "hr:u16"
 * or of a device id for the whole plant): never free or modify them. */
typedef struct
{
  gint64         key;
  char          *device_id;
  char          *term_id;
  char          *item_id;
  char          *protocol_code;
  char          *code_type;
  double         coefficient;
  double         base_val;
  DcHistoryMode  history;
  double         history_deadband;
  int            retention_days;   /* 0 = use the settings default */
  int            decimals;         /* `decimals` (0–15), -1: as many as the value needs */
  /* The stored object when the point has a member its plugins or drivers read from it (alarm
   * limits, do_verify, db_save_sql, db_warn_sql, states, direct: param.x of do_verify sees
   * every member), else NULL: most points of a large plant carry only the fields above, and a
   * JsonObject costs about 1 KB (docs/performance.md). dc_point_info_dup_json() always gives
   * the whole object. */
  JsonObject    *json;
  char          *body;             /* the stored members as JSON text when json is NULL (interned) */
} DcPointInfo;

DcPointInfo *dc_point_info_new_from_json (gint64       key,
                                          JsonObject  *point);
/* The same, with @body the stored members but the ids as JSON text (the store's row): kept as
 * is when the view is compact instead of written again from @point. */
DcPointInfo *dc_point_info_new_from_body (gint64       key,
                                          JsonObject  *point,
                                          const char  *body);
/* The same from a stored row: @body the members but the ids as JSON text. A flat body (the
 * usual point) is read without building a JsonObject (docs/performance.md). */
DcPointInfo *dc_point_info_new_from_text (gint64       key,
                                          const char  *device_id,
                                          const char  *term_id,
                                          const char  *item_id,
                                          const char  *body);
DcPointInfo *dc_point_info_ref           (DcPointInfo *info);
/* The whole stored object with device_id, term_id and item_id (a new reference): @info's json,
 * or one parsed again from its body (allocates: not for per-sample paths). */
JsonObject  *dc_point_info_dup_json      (const DcPointInfo *info);
/* One stored member of @info as a new node, or NULL when it has none: from its json, else
 * read from its body without parsing the whole of it when the body is flat (a reader that
 * needs one member of a compact view, e.g. a protocol's value_kind of code_type). */
JsonNode    *dc_point_info_dup_member    (const DcPointInfo *info,
                                          const char        *name);
void         dc_point_info_unref         (DcPointInfo *info);
/* The same as dc_point_info_unref(): a holder drops its reference. */
void         dc_point_info_free          (DcPointInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcPointInfo, dc_point_info_free)

G_END_DECLS
