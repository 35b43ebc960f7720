/* dc-store-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Shared by dc-store.c (open, transactions, reads), dc-store-edit.c (creates and the checks they
 * share with updates), dc-store-update.c (updates and renames), dc-store-delete.c (deletes with
 * their cascade), dc-store-batch.c (v2 batches), dc-store-import.c (project import/export) and
 * dc-store-audit.c (changes in the audit log).
 */

#pragma once

#include <sqlite3.h>

#include "dc-store.h"

G_BEGIN_DECLS

typedef struct
{
  DcKind      kind;
  DcChangeOp  op;
  char       *id;
  char       *old_id;
} Change;

struct _DcStore
{
  GObject   parent_instance;

  char     *path;
  sqlite3  *db;
  int       lock_fd;

  /* Pending notifications of the running transaction, emitted after COMMIT. */
  GArray   *changes;
  GArray   *removed_keys;

  guint64   points_listed;  /* points handed out by dc_store_list_point_infos */
  guint64   points_read;    /* point rows parsed into the point cache */
  GHashTable *point_cache;  /* key → DcPointInfo, NULL until the first list (dc-store-points.c) */
  /* Set with the cache by dc-store-points.c (a hook, so that dc-store.c does not call into
   * it: no file circle): follows a committed transaction's @changes (Change) and
   * @removed_keys before they are announced. */
  void    (*points_committed) (DcStore *self,
                               GArray  *changes,
                               GArray  *removed_keys);
  DcAudit  *audit;     /* NULL = changes are not recorded */
  /* While a batch of points runs: term_id → its device, protocol and address; item ids that
   * exist (dc-store-edit.c _dc_store_memo_begin). */
  GHashTable *term_memo;
  GHashTable *item_memo;
  GHashTable *address_memo;
};

/* Reused prepared statements (dc-store-stmt.c): the cleanup gives a statement back. */
void                 _dc_store_stmt_cache_open    (sqlite3      *db);
void                 _dc_store_stmt_cache_close   (sqlite3      *db);
sqlite3_stmt        *_dc_store_stmt_get           (sqlite3      *db,
                                                   const char   *sql);
void                 _dc_store_stmt_release       (sqlite3_stmt *stmt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, _dc_store_stmt_release)

#define POINT_COLUMNS "p.body, t.device_id, p.term_id, p.item_id"
#define POINT_FROM_TABLES "points p JOIN terms t ON t.id = p.term_id"
#define POINT_FROM    "FROM " POINT_FROM_TABLES

/* Transactions: notifications are queued and emitted after COMMIT. */
gboolean             _dc_store_begin              (DcStore      *self,
                                                   GError      **error);
void                 _dc_store_rollback           (DcStore      *self);
gboolean             _dc_store_commit             (DcStore      *self,
                                                   GError      **error);
gboolean             _dc_store_end                (DcStore      *self,
                                                   gboolean      ok,
                                                   GError      **error);
void                 _dc_store_queue_change       (DcStore      *self,
                                                   DcKind        kind,
                                                   DcChangeOp    op,
                                                   const char   *id,
                                                   const char   *old_id);

/* The audit log (dc-store-audit.c): @id of a point is "term:item". */
JsonObject          *_dc_store_audit_before       (DcStore      *self,
                                                   DcKind        kind,
                                                   const char   *id);
void                 _dc_store_audit_change       (DcStore      *self,
                                                   DcKind        kind,
                                                   DcChangeOp    op,
                                                   const char   *id,
                                                   const char   *new_id,
                                                   JsonObject   *old,
                                                   JsonObject   *request,
                                                   const GError *error);
void                 _dc_store_audit_batch        (DcStore      *self,
                                                   DcKind        kind,
                                                   DcChangeOp    op,
                                                   JsonArray    *elements,
                                                   const GError *error);


/* SQL helpers. */
gboolean             _dc_store_set_sqlite_error   (DcStore      *self,
                                                   GError      **error);
sqlite3_stmt        *_dc_store_prepare            (DcStore      *self,
                                                   const char   *sql,
                                                   GError      **error);
void                 _dc_store_bind_text          (sqlite3_stmt *stmt,
                                                   int           index,
                                                   const char   *text);
gboolean             _dc_store_exec_sql           (DcStore      *self,
                                                   const char   *sql,
                                                   GError      **error);
const char          *_dc_store_table_of           (DcKind        kind);

/* JSON bodies: stored without identity fields, which live in columns. */
JsonObject          *_dc_store_parse_body         (const char   *text);
char                *_dc_store_body_to_string     (JsonObject   *object,
                                                   const char * const *skip);
const char * const  *_dc_store_identity_fields    (DcKind        kind);
void                 _dc_store_merge_patch        (JsonObject   *target,
                                                   JsonObject   *patch);
char                *_dc_store_element_id         (DcKind        kind,
                                                   JsonNode     *element);

/* Lookups. */
gboolean             _dc_store_exists             (DcStore      *self,
                                                   DcKind        kind,
                                                   const char   *id);
gboolean             _dc_store_not_found          (DcKind        kind,
                                                   GError      **error);
JsonObject          *_dc_store_get_entity         (DcStore      *self,
                                                   DcKind        kind,
                                                   const char   *id,
                                                   GError      **error);
JsonObject          *_dc_store_point_from_row     (sqlite3_stmt *stmt,
                                                   int           first_column);
/* The device of @term_id, or NULL. */
char                *_dc_store_term_device_of     (DcStore      *self,
                                                   const char   *term_id);

/* A batch of points (dc-store-edit.c): the terms and items it names are read once. */
void                 _dc_store_memo_begin         (DcStore      *self);
void                 _dc_store_memo_end           (DcStore      *self);

/* Checks shared by creates and updates (dc-store-edit.c). */
char                *_dc_store_device_protocol_of (DcStore      *self,
                                                   const char   *device_id);
gboolean             _dc_store_check_address_unique (DcStore    *self,
                                                     JsonObject *point,
                                                     const char *device_id,
                                                     const char *protocol,
                                                     GError    **error);
gint64               _dc_store_check_formula_result (DcStore    *self,
                                                     JsonObject *formula,
                                                     const char *self_id,
                                                     GError    **error);
gboolean             _dc_store_check_results_stay (DcStore      *self,
                                                   const char   *device_id,
                                                   const char   *term_id,
                                                   GError      **error);

/* Writes inside a running transaction. */
gboolean             _dc_store_create_in_tx       (DcStore      *self,
                                                   DcKind        kind,
                                                   JsonObject   *object,
                                                   GError      **error);
gboolean             _dc_store_update_in_tx       (DcStore      *self,
                                                   DcKind        kind,
                                                   const char   *id,
                                                   JsonObject   *patch,
                                                   GError      **error);
gboolean             _dc_store_update_point_in_tx (DcStore      *self,
                                                   const char   *term_id,
                                                   const char   *item_id,
                                                   JsonObject   *patch,
                                                   GError      **error);
gboolean             _dc_store_delete_in_tx       (DcStore      *self,
                                                   DcKind        kind,
                                                   const char   *id,
                                                   GError      **error);
gboolean             _dc_store_delete_point_in_tx (DcStore      *self,
                                                   const char   *term_id,
                                                   const char   *item_id,
                                                   GError      **error);

G_END_DECLS
