/* dc-trend-view-csv.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-trend-view"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-csv-field.h"
#include "dc-number.h"
#include "dc-sample.h"
#include "dc-time.h"
#include "dc-trend-view.h"

/* The raw-sample export of the Trend page (docs/ui.md "Trend"): samples, not buckets, in
 * wide form, one column per pen. */

char *
dc_trend_csv_wide (guint               n_pens,
                   const char * const *labels,
                   const char * const *units,
                   GArray * const     *samples)
{
  GString *csv = g_string_new ("time");
  g_autofree guint *next = g_new0 (guint, MAX (n_pens, 1));

  for (guint p = 0; p < n_pens; p++)
    {
      g_autofree char *header = NULL;

      header = units != NULL && units[p] != NULL && units[p][0] != '\0'
               ? g_strdup_printf ("%s [%s]", labels[p], units[p])
               : g_strdup (labels[p]);
      g_string_append_c (csv, ',');
      dc_csv_append_field (csv, header, FALSE);
    }
  g_string_append_c (csv, '\n');

  /* Merge the sorted columns: each row is the smallest time not written yet. */
  for (;;)
    {
      gint64 time = G_MAXINT64;
      gboolean any = FALSE;
      g_autofree char *time_text = NULL;

      for (guint p = 0; p < n_pens; p++)
        if (samples[p] != NULL && next[p] < samples[p]->len)
          {
            time = MIN (time, g_array_index (samples[p], DcSample, next[p]).time);
            any = TRUE;
          }
      if (!any)
        break;

      time_text = dc_time_format (time);
      g_string_append (csv, time_text);
      for (guint p = 0; p < n_pens; p++)
        {
          g_string_append_c (csv, ',');
          if (samples[p] == NULL || next[p] >= samples[p]->len)
            continue;
          {
            const DcSample *s = &g_array_index (samples[p], DcSample, next[p]);

            if (s->time != time)
              continue;
            if (isfinite (s->value))
              dc_number_append (csv, s->value);  /* docs/model.md "Numbers in texts" */
            /* Two samples of one point at one time (a replaced one): the first counts. */
            while (next[p] < samples[p]->len &&
                   g_array_index (samples[p], DcSample, next[p]).time == time)
              next[p]++;
          }
        }
      g_string_append_c (csv, '\n');
    }
  return g_string_free (csv, FALSE);
}
