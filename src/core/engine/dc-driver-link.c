/* dc-driver-link.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The driver base's link state (device and per unit, posted to the main context as signals),
 * its counters and the status object built from both (docs/engine.md "Driver base").
 */

#define G_LOG_DOMAIN "dc-driver"

#include "config.h"

#include "dc-driver-private.h"
#include "dc-time.h"

/* Link state */

typedef struct
{
  DcDriver    *driver;
  DcLinkState  state;
  char        *last_error;
  char        *term_id;
  gboolean     up;
} LinkChange;

static void
link_change_free (gpointer data)
{
  LinkChange *change = data;

  g_object_unref (change->driver);
  g_free (change->last_error);
  g_free (change->term_id);
  g_free (change);
}

static gboolean
emit_link_changed_cb (gpointer data)
{
  LinkChange *change = data;

  _dc_driver_emit_link_changed (change->driver, change->state, change->last_error);

  return G_SOURCE_REMOVE;
}

static gboolean
emit_term_link_changed_cb (gpointer data)
{
  LinkChange *change = data;

  _dc_driver_emit_term_link_changed (change->driver, change->term_id, change->up,
                                     change->last_error);

  return G_SOURCE_REMOVE;
}

static void
post_to_main (DcDriver    *self,
              GSourceFunc  func,
              LinkChange  *change)
{
  DcDriverPrivate *priv = _dc_driver_get_private (self);
  g_autoptr(GSource) source = g_idle_source_new ();

  /* One idle per change, same priority: they run in the order they were posted. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, change, link_change_free);
  g_source_set_static_name (source, "[dc-driver-link-changed]");
  g_source_attach (source, priv->main_context);
}

void
dc_driver_set_link_state (DcDriver    *self,
                          DcLinkState  state,
                          const char  *last_error)
{
  DcDriverPrivate *priv = _dc_driver_get_private (self);
  LinkChange *change;

  g_return_if_fail (DC_IS_DRIVER (self));

  g_mutex_lock (&priv->state_lock);
  if (priv->state == state && g_strcmp0 (priv->last_error, last_error) == 0)
    {
      g_mutex_unlock (&priv->state_lock);
      return;
    }
  if (priv->state != state)
    priv->since = g_get_real_time ();
  priv->state = state;
  /* An error text stays until a new one replaces it; "up" clears it. */
  if (last_error != NULL || state == DC_LINK_UP)
    {
      g_free (priv->last_error);
      priv->last_error = g_strdup (last_error);
    }

  change = g_new0 (LinkChange, 1);
  change->driver = g_object_ref (self);
  change->state = state;
  change->last_error = g_strdup (priv->last_error);
  /* Posted under the lock, so that idles are attached in the order of the changes. */
  post_to_main (self, emit_link_changed_cb, change);
  g_mutex_unlock (&priv->state_lock);
}

DcLinkState
dc_driver_get_link_state (DcDriver *self)
{
  DcDriverPrivate *priv = _dc_driver_get_private (self);
  DcLinkState state;

  g_return_val_if_fail (DC_IS_DRIVER (self), DC_LINK_DOWN);

  g_mutex_lock (&priv->state_lock);
  state = priv->state;
  g_mutex_unlock (&priv->state_lock);

  return state;
}

char *
dc_driver_dup_last_error (DcDriver *self)
{
  DcDriverPrivate *priv = _dc_driver_get_private (self);
  char *error;

  g_return_val_if_fail (DC_IS_DRIVER (self), NULL);

  g_mutex_lock (&priv->state_lock);
  error = g_strdup (priv->last_error);
  g_mutex_unlock (&priv->state_lock);

  return error;
}

gint64
dc_driver_get_link_since (DcDriver *self)
{
  DcDriverPrivate *priv = _dc_driver_get_private (self);
  gint64 since;

  g_return_val_if_fail (DC_IS_DRIVER (self), 0);

  g_mutex_lock (&priv->state_lock);
  since = priv->since;
  g_mutex_unlock (&priv->state_lock);

  return since;
}

void
dc_driver_set_term_link_state (DcDriver   *self,
                               const char *term_id,
                               gboolean    up,
                               const char *last_error)
{
  DcDriverPrivate *priv = _dc_driver_get_private (self);
  LinkChange *change;
  gboolean was_down;
  const char *old_error;

  g_return_if_fail (DC_IS_DRIVER (self));
  g_return_if_fail (term_id != NULL);

  up = !!up;

  g_mutex_lock (&priv->state_lock);
  was_down = g_hash_table_lookup_extended (priv->down_terms, term_id, NULL,
                                           (gpointer *) &old_error);
  if ((up && !was_down) ||
      (!up && was_down && g_strcmp0 (old_error, last_error) == 0))
    {
      g_mutex_unlock (&priv->state_lock);
      return;
    }
  if (up)
    g_hash_table_remove (priv->down_terms, term_id);
  else
    g_hash_table_replace (priv->down_terms, g_strdup (term_id), g_strdup (last_error));

  change = g_new0 (LinkChange, 1);
  change->driver = g_object_ref (self);
  change->term_id = g_strdup (term_id);
  change->up = up;
  change->last_error = g_strdup (last_error);
  post_to_main (self, emit_term_link_changed_cb, change);
  g_mutex_unlock (&priv->state_lock);
}

/* Counters */

void
dc_driver_count_frame (DcDriver *self,
                       gboolean  incoming,
                       gsize     n_bytes)
{
  DcDriverPrivate *priv = _dc_driver_get_private (self);

  if (incoming)
    {
      __atomic_fetch_add (&priv->frames_in, 1, __ATOMIC_RELAXED);
      __atomic_fetch_add (&priv->bytes_in, (guint64) n_bytes, __ATOMIC_RELAXED);
    }
  else
    {
      __atomic_fetch_add (&priv->frames_out, 1, __ATOMIC_RELAXED);
      __atomic_fetch_add (&priv->bytes_out, (guint64) n_bytes, __ATOMIC_RELAXED);
    }
}

void
dc_driver_count_reconnect (DcDriver *self)
{
  DcDriverPrivate *priv = _dc_driver_get_private (self);

  __atomic_fetch_add (&priv->reconnects, 1, __ATOMIC_RELAXED);
}

void
dc_driver_get_counters (DcDriver         *self,
                        DcDriverCounters *counters)
{
  DcDriverPrivate *priv = _dc_driver_get_private (self);

  g_return_if_fail (DC_IS_DRIVER (self));
  g_return_if_fail (counters != NULL);

  counters->frames_in = __atomic_load_n (&priv->frames_in, __ATOMIC_RELAXED);
  counters->frames_out = __atomic_load_n (&priv->frames_out, __ATOMIC_RELAXED);
  counters->bytes_in = __atomic_load_n (&priv->bytes_in, __ATOMIC_RELAXED);
  counters->bytes_out = __atomic_load_n (&priv->bytes_out, __ATOMIC_RELAXED);
  counters->reconnects = __atomic_load_n (&priv->reconnects, __ATOMIC_RELAXED);
}

JsonNode *
dc_driver_build_status (DcDriver *self)
{
  DcDriverClass *klass;
  DcDriverCounters counters;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *last_error = NULL;
  g_autofree char *since = NULL;
  DcLinkState state;

  g_return_val_if_fail (DC_IS_DRIVER (self), NULL);

  klass = DC_DRIVER_GET_CLASS (self);
  state = dc_driver_get_link_state (self);
  last_error = dc_driver_dup_last_error (self);
  since = dc_time_format (dc_driver_get_link_since (self));
  dc_driver_get_counters (self, &counters);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, dc_driver_get_device_id (self));
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, dc_link_state_to_string (state));
  json_builder_set_member_name (builder, "since");
  json_builder_add_string_value (builder, since);
  json_builder_set_member_name (builder, "last_error");
  if (last_error != NULL)
    json_builder_add_string_value (builder, last_error);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "reconnects");
  json_builder_add_int_value (builder, (gint64) counters.reconnects);
  json_builder_set_member_name (builder, "frames_in");
  json_builder_add_int_value (builder, (gint64) counters.frames_in);
  json_builder_set_member_name (builder, "frames_out");
  json_builder_add_int_value (builder, (gint64) counters.frames_out);
  json_builder_set_member_name (builder, "bytes_in");
  json_builder_add_int_value (builder, (gint64) counters.bytes_in);
  json_builder_set_member_name (builder, "bytes_out");
  json_builder_add_int_value (builder, (gint64) counters.bytes_out);
  json_builder_set_member_name (builder, "protocol");
  json_builder_begin_object (builder);
  if (klass->add_status != NULL)
    klass->add_status (self, builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
