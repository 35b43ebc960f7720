/* dc-traffic-item-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

#include "dc-driver.h"
#include "dc-traffic-item.h"

G_BEGIN_DECLS

/* The traffic monitor (src/ui/pages/dc-traffic-view.c) builds the items and reads their fields. */
struct _DcTrafficItem
{
  GObject          parent_instance;

  guint64          seq;
  gint64           time;
  gboolean         incoming;
  GBytes          *bytes;
  char            *summary;
  char            *kind;
  char            *protocol;
  char            *decode_error;
  JsonObject      *decoded;
  DcTrafficStatus  status;
};

/* Decodes @frame with @driver's decode_frame once (summary, type, status). */
DcTrafficItem *dc_traffic_item_new         (DcDriver             *driver,
                                            const char           *protocol,
                                            const DcTrafficFrame *frame);
/* A later frame may turn a request into "no answer" (notifies ::status). */
void           dc_traffic_item_set_status  (DcTrafficItem        *self,
                                            DcTrafficStatus       status);
/* The export line: "time rx|tx summary[ (no answer)]", then the bytes in hex. */
void           dc_traffic_item_append_text (DcTrafficItem        *self,
                                            GString              *out);
/* The frame with its bytes borrowed from @self. */
void           dc_traffic_item_get_frame   (DcTrafficItem        *self,
                                            DcTrafficFrame       *frame);
/* @usec since the epoch in local time, or NULL. */
GDateTime     *dc_traffic_local_time_new   (gint64                usec);

G_END_DECLS
