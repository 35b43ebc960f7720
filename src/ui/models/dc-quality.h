/* dc-quality.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The quality bits that make a value suspect, in the order badges are shown. */
typedef struct
{
  guint32     bit;
  const char *icon_name;
  const char *label;      /* untranslated, N_() marked */
} DcQualityBadge;

const DcQualityBadge *dc_quality_badges       (guint *n_badges);
/* Words for every set bit, comma separated and translated; "" when good. */
char                 *dc_quality_to_text      (guint32 quality);
/* Icon of the most severe set bit, or NULL when good. */
const char           *dc_quality_icon_name    (guint32 quality);
/* TRUE for bits that make the value unusable (invalid, comm lost, not topical, overflow,
 * calculation failed): the value is shown dimmed. */
gboolean              dc_quality_is_bad       (guint32 quality);

G_END_DECLS
