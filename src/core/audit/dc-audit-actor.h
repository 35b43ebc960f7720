/* dc-audit-actor.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Who acts: the user, the role and the source of an action, as the audit log records it
 * (docs/security.md, "Who acts").
 *
 * The actor reaches the core in one of two ways:
 * - explicitly: operations that outlive their call (a control, a query) take a copy of the
 *   actor when they start (dc_audit_actor_get_current() at the call);
 * - scoped: code that changes the configuration or alarms synchronously runs between
 *   dc_audit_actor_push() and dc_audit_actor_pop() on its thread (the REST router around
 *   each handler, the Sparkplug node around a DCMD). The store and the plugins record with
 *   the current actor. Outside any scope the current actor is the process's default: user
 *   "local", source "system" for the server, source "gui" once the workstation has started
 *   (dc_audit_actor_set_default()). */
typedef struct
{
  char *user;
  char *role;     /* "" when no role was checked (open mode) */
  char *source;   /* "127.0.0.1:40312", "gui", "cli", "mqtt", "system" */
} DcAuditActor;

#define DC_TYPE_AUDIT_ACTOR (dc_audit_actor_get_type ())

GType               dc_audit_actor_get_type     (void) G_GNUC_CONST;

/* NULL @user means "local", NULL @role "", NULL @source "system". */
DcAuditActor       *dc_audit_actor_new          (const char         *user,
                                                 const char         *role,
                                                 const char         *source);
DcAuditActor       *dc_audit_actor_copy         (const DcAuditActor *actor);
void                dc_audit_actor_free         (DcAuditActor       *actor);

/* Makes @actor (copied) the current actor of the calling thread until the matching pop.
 * Scopes nest. */
void                dc_audit_actor_push         (const DcAuditActor *actor);
void                dc_audit_actor_pop          (void);
/* The innermost pushed actor of this thread, else the default one. Valid until the scope
 * ends or the default changes; copy it to keep it. */
const DcAuditActor *dc_audit_actor_get_current  (void);
/* The actor outside any scope (copied). NULL restores user "local", source "system". */
void                dc_audit_actor_set_default  (const DcAuditActor *actor);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcAuditActor, dc_audit_actor_free)

G_END_DECLS
