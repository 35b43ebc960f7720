/* dc-traffic-feed.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-traffic-feed"

#include "config.h"

#include "dc-traffic-feed.h"

typedef struct
{
  char   *device_id;
  char   *protocol;
  gint64    timeout_us;
  gboolean  active;
} DcTrafficFeedPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (DcTrafficFeed, dc_traffic_feed, G_TYPE_OBJECT)

static void
dc_traffic_feed_finalize (GObject *object)
{
  DcTrafficFeedPrivate *priv = dc_traffic_feed_get_instance_private (DC_TRAFFIC_FEED (object));

  g_free (priv->device_id);
  g_free (priv->protocol);

  G_OBJECT_CLASS (dc_traffic_feed_parent_class)->finalize (object);
}

static void
dc_traffic_feed_class_init (DcTrafficFeedClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dc_traffic_feed_finalize;
}

static void
dc_traffic_feed_init (DcTrafficFeed *self)
{
  DcTrafficFeedPrivate *priv = dc_traffic_feed_get_instance_private (self);

  priv->protocol = g_strdup ("");
  priv->timeout_us = G_USEC_PER_SEC;
}

GPtrArray *
dc_traffic_feed_take (DcTrafficFeed *self,
                      guint          limit,
                      guint64       *missed)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_FEED (self), NULL);
  g_return_val_if_fail (missed != NULL, NULL);

  return DC_TRAFFIC_FEED_GET_CLASS (self)->take (self, limit, missed);
}

JsonObject *
dc_traffic_feed_dup_link (DcTrafficFeed *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_FEED (self), NULL);

  return DC_TRAFFIC_FEED_GET_CLASS (self)->dup_link (self);
}

void
dc_traffic_feed_set_active (DcTrafficFeed *self,
                            gboolean       active)
{
  DcTrafficFeedPrivate *priv = dc_traffic_feed_get_instance_private (self);

  g_return_if_fail (DC_IS_TRAFFIC_FEED (self));

  active = !!active;
  if (priv->active == active)
    return;
  priv->active = active;
  if (DC_TRAFFIC_FEED_GET_CLASS (self)->activate != NULL)
    DC_TRAFFIC_FEED_GET_CLASS (self)->activate (self, active);
}

gboolean
dc_traffic_feed_get_active (DcTrafficFeed *self)
{
  DcTrafficFeedPrivate *priv = dc_traffic_feed_get_instance_private (self);

  g_return_val_if_fail (DC_IS_TRAFFIC_FEED (self), FALSE);
  return priv->active;
}

const char *
dc_traffic_feed_get_device_id (DcTrafficFeed *self)
{
  DcTrafficFeedPrivate *priv = dc_traffic_feed_get_instance_private (self);

  g_return_val_if_fail (DC_IS_TRAFFIC_FEED (self), NULL);
  return priv->device_id;
}

const char *
dc_traffic_feed_get_protocol (DcTrafficFeed *self)
{
  DcTrafficFeedPrivate *priv = dc_traffic_feed_get_instance_private (self);

  g_return_val_if_fail (DC_IS_TRAFFIC_FEED (self), NULL);
  return priv->protocol;
}

gint64
dc_traffic_feed_get_timeout (DcTrafficFeed *self)
{
  DcTrafficFeedPrivate *priv = dc_traffic_feed_get_instance_private (self);

  g_return_val_if_fail (DC_IS_TRAFFIC_FEED (self), 0);
  return priv->timeout_us;
}

void
dc_traffic_feed_set_device (DcTrafficFeed *self,
                            const char    *device_id,
                            const char    *protocol,
                            gint64         timeout_us)
{
  DcTrafficFeedPrivate *priv = dc_traffic_feed_get_instance_private (self);

  g_return_if_fail (DC_IS_TRAFFIC_FEED (self));

  g_free (priv->device_id);
  priv->device_id = g_strdup (device_id);
  g_free (priv->protocol);
  priv->protocol = g_strdup (protocol ? protocol : "");
  priv->timeout_us = timeout_us > 0 ? timeout_us : G_USEC_PER_SEC;
}
