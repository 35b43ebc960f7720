/* dc-sparkplug-message.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The messages of an edge node as a host reads them (docs/sparkplug.md, "Southbound"): topic
 * names and whole payloads of births, data and deaths, decoded metric by metric. Plain
 * functions without state: any thread. */

typedef enum
{
  DC_SPARKPLUG_NBIRTH,
  DC_SPARKPLUG_NDEATH,
  DC_SPARKPLUG_DBIRTH,
  DC_SPARKPLUG_DDEATH,
  DC_SPARKPLUG_NDATA,
  DC_SPARKPLUG_DDATA,
  DC_SPARKPLUG_NCMD,
  DC_SPARKPLUG_DCMD,
  DC_SPARKPLUG_STATE,
} DcSparkplugMessageType;

/* "NBIRTH" … "STATE" */
const char *dc_sparkplug_message_type_name (DcSparkplugMessageType  type);

/* Splits `spBv1.0/<group>/<TYPE>/<edge_node>[/<device>]` (and `spBv1.0/STATE/<host>`, where
 * @group and @edge_node are NULL and @device is the host id). FALSE for any other topic.
 * Every out argument is optional; the strings are newly allocated. */
gboolean    dc_sparkplug_topic_parse       (const char              *topic,
                                            DcSparkplugMessageType  *type,
                                            char                   **group,
                                            char                   **edge_node,
                                            char                   **device);

/* The datatype's name as in the specification ("Int8" … "Text"); NULL for an unknown number.
 * dc_sparkplug_datatype_from_name() is the reverse (0 for an unknown name). */
const char *dc_sparkplug_datatype_name      (guint32                 datatype);
guint32     dc_sparkplug_datatype_from_name (const char             *name);

/* One metric as received. @name is NULL when only the alias came (DATA). @timestamp_ms 0 =
 * none (the payload's applies). @has_value is FALSE for a null metric and for values that are
 * not numbers (strings, bytes, data sets, templates); Booleans are 0 and 1, integers are read
 * with the signedness and width of @datatype (or, without it, of the birth's: the caller
 * passes it). @unit is the "unit" (else "engUnit") property. @has_quality: the "quality"
 * property (DataColl's quality bits) or the standard "Quality" (192 good, 500 stale → not
 * topical, other values → invalid). */
typedef struct
{
  char     *name;
  gboolean  has_alias;
  guint64   alias;
  guint64   timestamp_ms;
  guint32   datatype;
  gboolean  is_historical;
  gboolean  is_transient;
  gboolean  is_null;
  gboolean  has_value;
  double    value;
  gboolean  is_integer;    /* the value came in int_value or long_value */
  guint64   raw_integer;   /* that field as it came, for a reading with another datatype */
  char     *unit;
  gboolean  has_quality;
  guint32   quality;
} DcSparkplugValue;

typedef struct
{
  gboolean  has_timestamp;
  guint64   timestamp_ms;
  gboolean  has_seq;
  guint64   seq;
  GArray   *metrics;        /* DcSparkplugValue, cleared with the array */
} DcSparkplugMessage;

/* Errors: DC_ERROR_INVALID "not a Sparkplug B payload". */
DcSparkplugMessage *dc_sparkplug_message_decode (const guint8        *data,
                                                 gsize                len,
                                                 GError             **error);
void                dc_sparkplug_message_free   (DcSparkplugMessage  *message);

/* Reads an integer that came without its datatype (DATA by alias) as @datatype says. */
double              dc_sparkplug_integer_value  (guint64              raw,
                                                 guint32              datatype);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcSparkplugMessage, dc_sparkplug_message_free)

G_END_DECLS
