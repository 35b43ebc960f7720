/* dc-audit-actor.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-audit"

#include "config.h"

#include "dc-audit-actor.h"

/* The current actor: a stack per thread (GPrivate) over one default for the process. The
 * default is replaced rarely (the workstation's start, a login) and read under a lock; the
 * reader gets a pointer that stays valid because replaced defaults are kept until exit
 * (a handful per process). */

G_DEFINE_BOXED_TYPE (DcAuditActor, dc_audit_actor, dc_audit_actor_copy, dc_audit_actor_free)

static void
stack_free (gpointer data)
{
  g_slist_free_full (data, (GDestroyNotify) dc_audit_actor_free);
}

static GPrivate stack_key = G_PRIVATE_INIT (stack_free);
static GMutex default_lock;
static DcAuditActor *default_actor;
static GPtrArray *old_defaults;

DcAuditActor *
dc_audit_actor_new (const char *user,
                    const char *role,
                    const char *source)
{
  DcAuditActor *actor = g_new0 (DcAuditActor, 1);

  actor->user = g_strdup (user != NULL ? user : "local");
  actor->role = g_strdup (role != NULL ? role : "");
  actor->source = g_strdup (source != NULL ? source : "system");
  return actor;
}

DcAuditActor *
dc_audit_actor_copy (const DcAuditActor *actor)
{
  g_return_val_if_fail (actor != NULL, NULL);

  return dc_audit_actor_new (actor->user, actor->role, actor->source);
}

void
dc_audit_actor_free (DcAuditActor *actor)
{
  if (actor == NULL)
    return;
  g_free (actor->user);
  g_free (actor->role);
  g_free (actor->source);
  g_free (actor);
}

void
dc_audit_actor_push (const DcAuditActor *actor)
{
  GSList *stack = g_private_get (&stack_key);

  g_return_if_fail (actor != NULL);

  /* g_private_replace would free the old list: the new head links to it instead. */
  stack = g_slist_prepend (stack, dc_audit_actor_copy (actor));
  g_private_set (&stack_key, stack);
}

void
dc_audit_actor_pop (void)
{
  GSList *stack = g_private_get (&stack_key);

  g_return_if_fail (stack != NULL);

  dc_audit_actor_free (stack->data);
  g_private_set (&stack_key, g_slist_delete_link (stack, stack));
}

const DcAuditActor *
dc_audit_actor_get_current (void)
{
  GSList *stack = g_private_get (&stack_key);
  const DcAuditActor *actor;

  if (stack != NULL)
    return stack->data;

  g_mutex_lock (&default_lock);
  if (default_actor == NULL)
    default_actor = dc_audit_actor_new (NULL, NULL, NULL);
  actor = default_actor;
  g_mutex_unlock (&default_lock);
  return actor;
}

void
dc_audit_actor_set_default (const DcAuditActor *actor)
{
  g_mutex_lock (&default_lock);
  if (default_actor != NULL)
    {
      if (old_defaults == NULL)
        old_defaults = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_audit_actor_free);
      g_ptr_array_add (old_defaults, default_actor);
    }
  default_actor = actor != NULL ? dc_audit_actor_copy (actor) : dc_audit_actor_new (NULL, NULL,
                                                                                    NULL);
  g_mutex_unlock (&default_lock);
}
