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
  gint64           request_address; /* Modbus answers: the address their request asked, or -1 */
  /* The Traffic page's row text with the points a Modbus frame covers, and the generation
   * of the page's point ranges it was made with (src/ui/pages/dc-traffic-view-points.c). */
  char            *shown_text;
  guint            shown_generation;
};

/* Decodes @frame with @driver's decode_frame once (summary, type, status). */
DcTrafficItem *dc_traffic_item_new         (DcDriver             *driver,
                                            const char           *protocol,
                                            const DcTrafficFrame *frame);
/* The same from a frame decoded elsewhere (a server's stream): @summary, @decoded and @error
 * as dc_driver_decode_frame() gives them (all nullable, copied). */
DcTrafficItem *dc_traffic_item_new_decoded (const DcTrafficFrame *frame,
                                            const char           *protocol,
                                            const char           *summary,
                                            JsonObject           *decoded,
                                            const char           *error);
/* A Modbus answer paired with its request, which asked from register (coil) @address: the
 * summary and the objects name the addresses of its values. Before the item is shown. */
void           dc_traffic_item_set_request_address (DcTrafficItem *self,
                                                    gint64         address);
/* A later frame may turn a request into "no answer" (notifies ::status). */
void           dc_traffic_item_set_status  (DcTrafficItem        *self,
                                            DcTrafficStatus       status);
/* The export line: "time rx|tx summary[ (no answer)]", then the bytes in hex. */
void           dc_traffic_item_append_text (DcTrafficItem        *self,
                                            GString              *out);
/* The bytes of the frame, one annotated line per field. */
char          *dc_traffic_item_dup_notes   (DcTrafficItem        *self);
/* The frame with its bytes borrowed from @self. */
void           dc_traffic_item_get_frame   (DcTrafficItem        *self,
                                            DcTrafficFrame       *frame);
/* @usec since the epoch in local time, or NULL. */
GDateTime     *dc_traffic_local_time_new   (gint64                usec);

G_END_DECLS
