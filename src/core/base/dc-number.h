/* dc-number.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Numbers as people read them and as DataColl writes them in texts (the GUI, CSV exports, the
 * REST routes that answer text): C locale (a dot), no exponent for the usual range, no
 * arithmetic noise. The rule is docs/model.md "Numbers in texts":
 *
 * - @decimals >= 0 (a point's `decimals`): exactly that many decimals ("%.*f").
 * - @decimals < 0: the shortest text that reads back to the same double ("0.1", not
 *   "0.10000000000000001"); a value that needs 16 or 17 digits for that is the noise of a
 *   computation (628 × 0.1 = 62.800000000000004) and is written with 15 significant digits
 *   ("62.8"), the precision a double keeps for any decimal; a value that is a float (a 32-bit
 *   register) is written as the shortest text that reads back to the same float ("230.1", not
 *   "230.100006103516").
 *
 * Not a number gives "nan", infinities "inf" / "-inf"; minus zero is "0". Thread-safe. */

#define DC_NUMBER_BUF_SIZE 48

const char *dc_number_format_buf (char   *buf,
                                  gsize   size,
                                  double  value,
                                  int     decimals);
char       *dc_number_format     (double  value,
                                  int     decimals);
/* Appends dc_number_format (@value, -1). */
void        dc_number_append     (GString *out,
                                  double   value);

G_END_DECLS
