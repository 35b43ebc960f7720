/* dc-point-id.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A point's id in the store, its change signals and the REST routes is "term:item": its term's
 * id, a colon, its item's id (docs/model.md). A valid term or item id holds no ':' and is never
 * empty; the split is at the first colon, so an item part that holds a colon stays whole.
 *
 * TRUE when @id has a colon with text on both sides: @term_id is set to a new string (free it)
 * and @item_id points into @id (either may be NULL when not wanted). FALSE for NULL, no colon,
 * or an empty term or item part; the outputs are then left alone. Any thread. */
gboolean dc_point_id_split (const char  *id,
                            char       **term_id,
                            const char **item_id);

G_END_DECLS
