/* dc-ws-limit.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-ws-limit"

#include "config.h"

#include "dc-ws-limit-private.h"

/* The input side: a pollable filter that parses frame headers as the bytes go by. */

#define DC_TYPE_WS_LIMIT_INPUT (dc_ws_limit_input_get_type ())
G_DECLARE_FINAL_TYPE (DcWsLimitInput, dc_ws_limit_input, DC, WS_LIMIT_INPUT, GFilterInputStream)

struct _DcWsLimitInput
{
  GFilterInputStream parent_instance;

  guint64  max_message;
  guint8   header[14];    /* the frame header read so far */
  guint    header_len;
  guint    header_need;   /* its full length once known, else 0 */
  guint64  payload_left;  /* of the current frame */
  guint64  message;       /* payload bytes of the current message */
  gboolean failed;
};

static void dc_ws_limit_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DcWsLimitInput, dc_ws_limit_input, G_TYPE_FILTER_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      dc_ws_limit_input_pollable_init))

static GInputStream *
base_of (DcWsLimitInput *self)
{
  return g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (self));
}

/* A complete header: count its payload. FALSE when the message goes over the limit. */
static gboolean
header_done (DcWsLimitInput *self)
{
  guint8 opcode = self->header[0] & 0x0f;
  guint8 len7 = self->header[1] & 0x7f;
  guint64 length = len7;

  if (len7 == 126)
    length = ((guint64) self->header[2] << 8) | self->header[3];
  else if (len7 == 127)
    {
      length = 0;
      for (guint i = 0; i < 8; i++)
        length = (length << 8) | self->header[2 + i];
    }
  self->payload_left = length;
  self->header_len = 0;
  self->header_need = 0;

  /* Control frames (close, ping, pong) are small and stand alone. */
  if (opcode & 0x08)
    return TRUE;
  if (opcode != 0x0)
    self->message = 0;
  if (length > self->max_message || self->message > self->max_message - length)
    return FALSE;
  self->message += length;
  return TRUE;
}

/* Walks @n bytes just read. */
static gboolean
scan (DcWsLimitInput  *self,
      const guint8    *data,
      gsize            n,
      GError         **error)
{
  while (n > 0)
    {
      if (self->payload_left > 0)
        {
          guint64 skip = MIN (self->payload_left, (guint64) n);

          self->payload_left -= skip;
          data += skip;
          n -= (gsize) skip;
          continue;
        }
      self->header[self->header_len++] = *data++;
      n--;
      if (self->header_len == 2)
        {
          guint8 len7 = self->header[1] & 0x7f;

          self->header_need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) +
                              ((self->header[1] & 0x80) ? 4 : 0);
        }
      if (self->header_need != 0 && self->header_len == self->header_need &&
          !header_done (self))
        {
          self->failed = TRUE;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       "WebSocket message over %" G_GUINT64_FORMAT " bytes",
                       self->max_message);
          return FALSE;
        }
    }
  return TRUE;
}

static gssize
finish_read (DcWsLimitInput  *self,
             void            *buffer,
             gssize           n,
             GError         **error)
{
  if (n > 0 && !scan (self, buffer, (gsize) n, error))
    return -1;
  return n;
}

static gboolean
check_failed (DcWsLimitInput  *self,
              GError         **error)
{
  if (!self->failed)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
               "WebSocket message over %" G_GUINT64_FORMAT " bytes", self->max_message);
  return FALSE;
}

static gssize
dc_ws_limit_input_read (GInputStream  *stream,
                        void          *buffer,
                        gsize          count,
                        GCancellable  *cancellable,
                        GError       **error)
{
  DcWsLimitInput *self = DC_WS_LIMIT_INPUT (stream);

  if (!check_failed (self, error))
    return -1;
  return finish_read (self, buffer,
                      g_input_stream_read (base_of (self), buffer, count, cancellable, error),
                      error);
}

static gboolean
dc_ws_limit_input_can_poll (GPollableInputStream *stream)
{
  GInputStream *base = base_of (DC_WS_LIMIT_INPUT (stream));

  return G_IS_POLLABLE_INPUT_STREAM (base) &&
         g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (base));
}

static gboolean
dc_ws_limit_input_is_readable (GPollableInputStream *stream)
{
  return g_pollable_input_stream_is_readable (
    G_POLLABLE_INPUT_STREAM (base_of (DC_WS_LIMIT_INPUT (stream))));
}

static GSource *
dc_ws_limit_input_create_source (GPollableInputStream *stream,
                                 GCancellable         *cancellable)
{
  g_autoptr(GSource) base_source = g_pollable_input_stream_create_source (
    G_POLLABLE_INPUT_STREAM (base_of (DC_WS_LIMIT_INPUT (stream))), NULL);

  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static gssize
dc_ws_limit_input_read_nonblocking (GPollableInputStream  *stream,
                                    void                  *buffer,
                                    gsize                  count,
                                    GError               **error)
{
  DcWsLimitInput *self = DC_WS_LIMIT_INPUT (stream);

  if (!check_failed (self, error))
    return -1;
  return finish_read (self, buffer,
                      g_pollable_input_stream_read_nonblocking (
                        G_POLLABLE_INPUT_STREAM (base_of (self)), buffer, count, NULL, error),
                      error);
}

static void
dc_ws_limit_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = dc_ws_limit_input_can_poll;
  iface->is_readable = dc_ws_limit_input_is_readable;
  iface->create_source = dc_ws_limit_input_create_source;
  iface->read_nonblocking = dc_ws_limit_input_read_nonblocking;
}

static void
dc_ws_limit_input_class_init (DcWsLimitInputClass *klass)
{
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  input_class->read_fn = dc_ws_limit_input_read;
}

static void
dc_ws_limit_input_init (DcWsLimitInput *self)
{
}

/* The stream: our input, the base's output; closing closes the base. */

#define DC_TYPE_WS_LIMIT_STREAM (dc_ws_limit_stream_get_type ())
G_DECLARE_FINAL_TYPE (DcWsLimitStream, dc_ws_limit_stream, DC, WS_LIMIT_STREAM, GIOStream)

struct _DcWsLimitStream
{
  GIOStream     parent_instance;

  GIOStream    *base;
  GInputStream *input;
};

G_DEFINE_FINAL_TYPE (DcWsLimitStream, dc_ws_limit_stream, G_TYPE_IO_STREAM)

static GInputStream *
dc_ws_limit_stream_get_input_stream (GIOStream *stream)
{
  return DC_WS_LIMIT_STREAM (stream)->input;
}

static GOutputStream *
dc_ws_limit_stream_get_output_stream (GIOStream *stream)
{
  return g_io_stream_get_output_stream (DC_WS_LIMIT_STREAM (stream)->base);
}

static gboolean
dc_ws_limit_stream_close (GIOStream     *stream,
                          GCancellable  *cancellable,
                          GError       **error)
{
  return g_io_stream_close (DC_WS_LIMIT_STREAM (stream)->base, cancellable, error);
}

static void
close_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
dc_ws_limit_stream_close_async (GIOStream           *stream,
                                int                  io_priority,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, dc_ws_limit_stream_close_async);
  g_io_stream_close_async (DC_WS_LIMIT_STREAM (stream)->base, io_priority, cancellable,
                           close_ready_cb, task);
}

static gboolean
dc_ws_limit_stream_close_finish (GIOStream     *stream,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
dc_ws_limit_stream_finalize (GObject *object)
{
  DcWsLimitStream *self = DC_WS_LIMIT_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->base);

  G_OBJECT_CLASS (dc_ws_limit_stream_parent_class)->finalize (object);
}

static void
dc_ws_limit_stream_class_init (DcWsLimitStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->finalize = dc_ws_limit_stream_finalize;
  stream_class->get_input_stream = dc_ws_limit_stream_get_input_stream;
  stream_class->get_output_stream = dc_ws_limit_stream_get_output_stream;
  stream_class->close_fn = dc_ws_limit_stream_close;
  stream_class->close_async = dc_ws_limit_stream_close_async;
  stream_class->close_finish = dc_ws_limit_stream_close_finish;
}

static void
dc_ws_limit_stream_init (DcWsLimitStream *self)
{
}

GIOStream *
dc_ws_limit_stream_new (GIOStream *base,
                        guint64    max_message)
{
  DcWsLimitStream *self;
  DcWsLimitInput *input;

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);

  input = g_object_new (DC_TYPE_WS_LIMIT_INPUT,
                        "base-stream", g_io_stream_get_input_stream (base),
                        "close-base-stream", FALSE,
                        NULL);
  input->max_message = max_message;
  self = g_object_new (DC_TYPE_WS_LIMIT_STREAM, NULL);
  self->base = g_object_ref (base);
  self->input = G_INPUT_STREAM (input);
  return G_IO_STREAM (self);
}
