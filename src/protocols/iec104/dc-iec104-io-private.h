/* dc-iec104-io-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* The non-blocking output of an IEC 104 connection, shared by the controlling station
 * (dc-iec104-driver.c) and the simulated outstation (dc-iec104-sim.c): bytes wait in a
 * GByteArray and a G_IO_OUT watch resumes the writing when the socket is full. */

#include <gio/gio.h>

G_BEGIN_DECLS

/* Writes what @socket takes of @out and removes it from @out. A full socket is not a failure;
 * FALSE with @error when the send fails. */
static inline gboolean
dc_iec104_send_out (GSocket     *socket,
                    GByteArray  *out,
                    GError     **error)
{
  while (out->len > 0)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n = g_socket_send (socket, (const char *) out->data, out->len, NULL, &local_error);

      if (n < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return TRUE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_byte_array_remove_range (out, 0, n);
    }
  return TRUE;
}

/* Keeps *@source, a G_IO_OUT watch on @socket calling @callback in @context, attached exactly
 * while @out holds unsent bytes. */
static inline void
dc_iec104_watch_out (GSocket           *socket,
                     GByteArray        *out,
                     GSource          **source,
                     GSocketSourceFunc  callback,
                     gpointer           user_data,
                     GMainContext      *context)
{
  if (out->len > 0 && *source == NULL)
    {
      *source = g_socket_create_source (socket, G_IO_OUT, NULL);
      g_source_set_callback (*source, (GSourceFunc) (void (*)(void)) callback, user_data, NULL);
      g_source_attach (*source, context);
    }
  else if (out->len == 0 && *source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

G_END_DECLS
