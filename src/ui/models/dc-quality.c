/* dc-quality.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-quality"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-quality.h"
#include "dc-sample.h"

static const DcQualityBadge badges[] = {
  { DC_QUALITY_COMM_LOST,        "network-offline-symbolic",    N_("comm lost") },
  { DC_QUALITY_INVALID,          "dialog-error-symbolic",       N_("invalid") },
  { DC_QUALITY_NOT_TOPICAL,      "document-open-recent-symbolic", N_("not topical") },
  { DC_QUALITY_OVERFLOW,         "dialog-warning-symbolic",     N_("overflow") },
  { DC_QUALITY_CALC_FAILED,      "dialog-error-symbolic",       N_("calculation failed") },
  { DC_QUALITY_SUBSTITUTED,      "document-edit-symbolic",      N_("substituted") },
  { DC_QUALITY_BLOCKED,          "action-unavailable-symbolic", N_("blocked") },
  { DC_QUALITY_TIME_INVALID,     "dialog-warning-symbolic",     N_("time invalid") },
  { DC_QUALITY_TRANSIENT,        "view-refresh-symbolic",       N_("transient") },
  { DC_QUALITY_COUNTER_ADJUSTED, "document-edit-symbolic",      N_("counter adjusted") },
  { DC_QUALITY_COUNTER_CARRY,    "dialog-information-symbolic", N_("counter carry") },
  { DC_QUALITY_ELAPSED_INVALID,  "dialog-warning-symbolic",     N_("elapsed time invalid") },
};

const DcQualityBadge *
dc_quality_badges (guint *n_badges)
{
  *n_badges = G_N_ELEMENTS (badges);
  return badges;
}

char *
dc_quality_to_text (guint32 quality)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (badges); i++)
    {
      if ((quality & badges[i].bit) == 0)
        continue;
      if (str->len > 0)
        g_string_append (str, ", ");
      g_string_append (str, _(badges[i].label));
    }

  return g_string_free (str, FALSE);
}

const char *
dc_quality_icon_name (guint32 quality)
{
  for (guint i = 0; i < G_N_ELEMENTS (badges); i++)
    if (quality & badges[i].bit)
      return badges[i].icon_name;
  return NULL;
}

gboolean
dc_quality_is_bad (guint32 quality)
{
  return (quality & (DC_QUALITY_COMM_LOST | DC_QUALITY_INVALID | DC_QUALITY_NOT_TOPICAL |
                     DC_QUALITY_OVERFLOW | DC_QUALITY_CALC_FAILED)) != 0;
}
