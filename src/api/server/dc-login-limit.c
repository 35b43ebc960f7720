/* dc-login-limit.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-server"

#include "config.h"

#include "dc-login-limit-private.h"

typedef struct
{
  gint64 window_start;   /* first failure of the current window */
  guint  failures;       /* in the current window */
  gint64 locked_until;
  gint64 lock_length;    /* of the last lock-out; 0: none yet */
  gint64 last_failure;
} Entry;

struct _DcLoginLimit
{
  GHashTable *entries;   /* address → Entry */
};

DcLoginLimit *
dc_login_limit_new (void)
{
  DcLoginLimit *self = g_new0 (DcLoginLimit, 1);

  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
dc_login_limit_free (DcLoginLimit *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->entries);
  g_free (self);
}

static Entry *
lookup (DcLoginLimit *self,
        const char   *address,
        gint64        now)
{
  Entry *entry = g_hash_table_lookup (self->entries, address);

  /* Quiet for DC_LOGIN_LIMIT_FORGET since its last failure or lock-out: it starts over. */
  if (entry != NULL && entry->locked_until <= now &&
      now - MAX (entry->last_failure, entry->locked_until) >= DC_LOGIN_LIMIT_FORGET)
    {
      g_hash_table_remove (self->entries, address);
      entry = NULL;
    }
  return entry;
}

guint
dc_login_limit_wait (DcLoginLimit *self,
                     const char   *address,
                     gint64        now)
{
  Entry *entry = lookup (self, address, now);

  if (entry == NULL || entry->locked_until <= now)
    return 0;
  return (guint) ((entry->locked_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

/* Forgets what no longer matters when the table is full: addresses neither locked nor within
 * a window. A flood from more addresses than that keeps the newest in the table. */
static void
prune (DcLoginLimit *self,
       gint64        now)
{
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->locked_until <= now && now - entry->last_failure >= DC_LOGIN_LIMIT_WINDOW)
      g_hash_table_iter_remove (&iter);
  if (g_hash_table_size (self->entries) >= DC_LOGIN_LIMIT_MAX_ADDRESSES)
    {
      g_hash_table_iter_init (&iter, self->entries);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
        if (entry->locked_until <= now)
          g_hash_table_iter_remove (&iter);
    }
}

void
dc_login_limit_failed (DcLoginLimit *self,
                       const char   *address,
                       gint64        now)
{
  Entry *entry = lookup (self, address, now);

  if (entry == NULL)
    {
      if (g_hash_table_size (self->entries) >= DC_LOGIN_LIMIT_MAX_ADDRESSES)
        prune (self, now);
      entry = g_new0 (Entry, 1);
      g_hash_table_insert (self->entries, g_strdup (address), entry);
    }
  if (entry->failures == 0 || now - entry->window_start >= DC_LOGIN_LIMIT_WINDOW)
    {
      entry->window_start = now;
      entry->failures = 0;
    }
  entry->failures++;
  entry->last_failure = now;
  if (entry->failures >= DC_LOGIN_LIMIT_FAILURES)
    {
      entry->lock_length = entry->lock_length == 0 ? DC_LOGIN_LIMIT_FIRST_LOCK :
                           MIN (entry->lock_length * 2, DC_LOGIN_LIMIT_MAX_LOCK);
      entry->locked_until = now + entry->lock_length;
      entry->failures = 0;
    }
}

void
dc_login_limit_succeeded (DcLoginLimit *self,
                          const char   *address)
{
  g_hash_table_remove (self->entries, address);
}
