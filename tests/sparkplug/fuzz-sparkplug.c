/* fuzz-sparkplug.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the Sparkplug B payload decoding of src/sparkplug: decodes
 * the input; whatever decodes is encoded again as metrics and must decode to as many metrics
 * with the same names, aliases and values. Built with -Dfuzzing=true (clang,
 * -fsanitize=fuzzer,address); without it the same entry point is run over the seed corpus by
 * the test "sparkplug-corpus".
 */

#include "config.h"

#include <math.h>

#include "dc-sparkplug-message.h"
#include "dc-sparkplug-payload.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GArray) commands = NULL;
  g_autoptr(DcSparkplugMessage) message = NULL;
  g_autoptr(GArray) again = NULL;
  g_autoptr(GArray) metrics = NULL;
  g_autoptr(GBytes) encoded = NULL;
  g_autofree guint8 *copy = g_memdup2 (data, size);  /* exactly the input, for ASan */
  guint64 seq = 0;

  commands = dc_sparkplug_payload_decode (copy, size, &seq, NULL);
  message = dc_sparkplug_message_decode (copy, size, NULL);
  /* The host's decoder (births, data) and the commands' agree on what is a payload. */
  g_assert_true ((commands == NULL) == (message == NULL));
  if (commands == NULL)
    return 0;
  g_assert_cmpuint (message->metrics->len, ==, commands->len);

  metrics = g_array_new (FALSE, TRUE, sizeof (DcSparkplugMetric));
  for (guint i = 0; i < commands->len; i++)
    {
      const DcSparkplugCommand *c = &g_array_index (commands, DcSparkplugCommand, i);
      DcSparkplugMetric m = {
        .name = c->name,
        .alias = c->has_alias ? c->alias : 0,
        .datatype = DC_SPARKPLUG_DOUBLE,
        .value = c->value,
        .is_null = !c->has_value,
        .has_quality = TRUE,
      };

      g_array_append_val (metrics, m);
    }
  encoded = dc_sparkplug_payload_encode (1, (gint) (seq % 256),
                                         (DcSparkplugMetric *) metrics->data, metrics->len);
  again = dc_sparkplug_payload_decode (g_bytes_get_data (encoded, NULL),
                                       g_bytes_get_size (encoded), NULL, NULL);
  g_assert_nonnull (again);
  g_assert_cmpuint (again->len, ==, commands->len);
  for (guint i = 0; i < commands->len; i++)
    {
      const DcSparkplugCommand *a = &g_array_index (commands, DcSparkplugCommand, i);
      const DcSparkplugCommand *b = &g_array_index (again, DcSparkplugCommand, i);

      g_assert_cmpstr (a->name, ==, b->name);
      g_assert_true (a->has_value == b->has_value);
      if (a->has_alias && a->alias != 0)
        g_assert_true (b->has_alias && a->alias == b->alias);
      if (a->has_value && !isnan (a->value))
        g_assert_true (a->value == b->value);
    }
  return 0;
}
