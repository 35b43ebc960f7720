/* dc-number.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-number"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-number.h"

/* Significant digits of a %g text: "0.000123" 3, "1085.5498046875" 14, "1e-07" 1. */
static guint
significant_digits (const char *text)
{
  guint n = 0;
  gboolean leading = TRUE;

  for (const char *p = text; *p != '\0' && *p != 'e' && *p != 'E'; p++)
    {
      if (!g_ascii_isdigit (*p))
        continue;
      if (leading && *p == '0')
        continue;
      leading = FALSE;
      n++;
    }
  return n;
}

const char *
dc_number_format_buf (char   *buf,
                      gsize   size,
                      double  value,
                      int     decimals)
{
  g_return_val_if_fail (buf != NULL && size >= DC_NUMBER_BUF_SIZE, NULL);

  if (isnan (value))
    return g_strlcpy (buf, "nan", size), buf;
  if (isinf (value))
    return g_strlcpy (buf, value > 0 ? "inf" : "-inf", size), buf;
  if (value == 0)
    value = 0;  /* no "-0" */

  if (decimals >= 0)
    {
      /* Beyond 1e21 %f writes every digit of the double; the exponent form is shorter. */
      if (fabs (value) >= 1e21)
        return g_ascii_formatd (buf, size, "%.15g", value);
      char format[8];

      g_snprintf (format, sizeof format, "%%.%df", MIN (decimals, 17));
      g_ascii_formatd (buf, size, format, value);
      /* A rounding to zero can leave "-0.00". */
      if (buf[0] == '-' && strspn (buf + 1, "0.") == strlen (buf + 1))
        memmove (buf, buf + 1, strlen (buf));
      return buf;
    }

  /* If a text of at most 15 significant digits reads back to @value, %.15g (which drops
   * trailing zeros) is that text: a double keeps 15 decimal digits exactly. */
  g_ascii_formatd (buf, size, "%.15g", value);
  if (value == floor (value) && fabs (value) < 1e15)
    return buf;

  /* A float widened to double (a 32-bit register) whose exact value has a long text: the
   * shortest text of the float ("1085.5498", not "1085.5498046875"). A float-exact value with a
   * short text (0.5, 1234567.125) is written as it is: nothing to gain, nothing lost. */
  if ((double) (float) value == value && significant_digits (buf) >= 12)
    {
      char fbuf[DC_NUMBER_BUF_SIZE];

      for (int digits = 1; digits <= 9; digits++)
        {
          char format[8];

          g_snprintf (format, sizeof format, "%%.%dg", digits);
          g_ascii_formatd (fbuf, sizeof fbuf, format, value);
          if ((float) g_ascii_strtod (fbuf, NULL) == (float) value)
            {
              if (strlen (fbuf) < strlen (buf))
                g_strlcpy (buf, fbuf, size);
              return buf;
            }
        }
    }

  /* Otherwise %.15g: it reads back, or what it drops is arithmetic noise. */
  return buf;
}

char *
dc_number_format (double value,
                  int    decimals)
{
  char buf[DC_NUMBER_BUF_SIZE];

  return g_strdup (dc_number_format_buf (buf, sizeof buf, value, decimals));
}

void
dc_number_append (GString *out,
                  double   value)
{
  char buf[DC_NUMBER_BUF_SIZE];

  g_string_append (out, dc_number_format_buf (buf, sizeof buf, value, -1));
}
