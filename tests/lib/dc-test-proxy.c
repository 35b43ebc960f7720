/* dc-test-proxy.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-test-proxy"

#include "config.h"

#include "dc-test-proxy.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <gio/gio.h>

/* Blocking sockets, one thread per direction of each connection: the proxy never depends on
 * the test's main context, which a test may hold while it waits for a driver. */

typedef struct
{
  GSocket       *client;
  GSocket       *server;
  gatomicrefcount ref;
} Link;

typedef struct
{
  DcTestProxy *proxy;
  Link        *link;
  gboolean     upstream;   /* client → server (requests); else server → client (answers) */
  GThread     *thread;
} Pipe;

struct _DcTestProxy
{
  GSocket          *listener;
  guint16           port;
  guint16           upstream_port;
  GCancellable     *cancellable;
  GThread          *acceptor;

  GMutex            lock;
  DcTestProxyFault  fault;
  guint             arg;
  guint             epoch;      /* bumped by each dc_test_proxy_set_fault() */
  GPtrArray        *pipes;      /* Pipe *, joined at the end */
  guint             n_accepted;
};

static void
link_close (Link *link)
{
  g_socket_shutdown (link->client, TRUE, TRUE, NULL);
  g_socket_shutdown (link->server, TRUE, TRUE, NULL);
}

static void
link_unref (Link *link)
{
  if (!g_atomic_ref_count_dec (&link->ref))
    return;
  g_socket_close (link->client, NULL);
  g_socket_close (link->server, NULL);
  g_object_unref (link->client);
  g_object_unref (link->server);
  g_free (link);
}

static gboolean
send_all (GSocket      *socket,
          const guint8 *data,
          gsize         length)
{
  while (length > 0)
    {
      gssize n = g_socket_send (socket, (const char *) data, length, NULL, NULL);

      if (n <= 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

static gpointer
pipe_thread (gpointer data)
{
  Pipe *pipe = data;
  DcTestProxy *proxy = pipe->proxy;
  GSocket *from = pipe->upstream ? pipe->link->client : pipe->link->server;
  GSocket *to = pipe->upstream ? pipe->link->server : pipe->link->client;
  g_autoptr(GRand) rand = g_rand_new ();
  guint epoch = 0;
  guint64 since_fault = 0;   /* answer bytes since the fault was set (DROP_AFTER) */
  guint8 buffer[4096];

  for (;;)
    {
      gssize n = g_socket_receive (from, (char *) buffer, sizeof buffer, proxy->cancellable,
                                   NULL);
      DcTestProxyFault fault;
      guint arg;
      gboolean ok = TRUE;

      if (n <= 0)
        break;

      g_mutex_lock (&proxy->lock);
      fault = proxy->fault;
      arg = proxy->arg;
      if (epoch != proxy->epoch)
        {
          epoch = proxy->epoch;
          since_fault = 0;
        }
      g_mutex_unlock (&proxy->lock);

      /* Splits and delays apply to the answers: the drivers under test read them. */
      if (pipe->upstream && (fault == DC_TEST_PROXY_ONE_BYTE || fault == DC_TEST_PROXY_DELAY ||
                             fault == DC_TEST_PROXY_RANDOM_SPLIT))
        fault = DC_TEST_PROXY_PASS;

      switch (fault)
        {
        case DC_TEST_PROXY_BLACKHOLE:
          continue;

        case DC_TEST_PROXY_HALF_OPEN_UP:
          if (pipe->upstream)
            continue;
          ok = send_all (to, buffer, n);
          break;

        case DC_TEST_PROXY_HALF_OPEN_DOWN:
          if (!pipe->upstream)
            continue;
          ok = send_all (to, buffer, n);
          break;

        case DC_TEST_PROXY_DROP_AFTER:
          if (!pipe->upstream && since_fault + n > arg)
            {
              send_all (to, buffer, arg - since_fault);
              ok = FALSE;
              break;
            }
          if (!pipe->upstream)
            since_fault += n;
          ok = send_all (to, buffer, n);
          break;

        case DC_TEST_PROXY_CORRUPT:
          if (!pipe->upstream && arg < (guint) n)
            buffer[arg] ^= 0xff;
          ok = send_all (to, buffer, n);
          break;

        case DC_TEST_PROXY_DELAY:
          /* The fault itself: the bytes arrive late. */
          g_usleep ((gulong) arg * 1000);
          ok = send_all (to, buffer, n);
          break;

        case DC_TEST_PROXY_ONE_BYTE:
          for (gssize i = 0; i < n && ok; i++)
            ok = send_all (to, buffer + i, 1);
          break;

        case DC_TEST_PROXY_RANDOM_SPLIT:
          for (gssize i = 0; i < n && ok; )
            {
              gssize piece = g_rand_int_range (rand, 1, (gint32) (n - i) + 1);

              ok = send_all (to, buffer + i, piece);
              i += piece;
            }
          break;

        case DC_TEST_PROXY_PASS:
        default:
          ok = send_all (to, buffer, n);
          break;
        }
      if (!ok)
        break;
    }

  /* Either side gone, or dropped: the other direction ends too. */
  link_close (pipe->link);
  return NULL;
}

static void
start_pipe (DcTestProxy *self,
            Link        *link,
            gboolean     upstream)
{
  Pipe *pipe = g_new0 (Pipe, 1);

  pipe->proxy = self;
  pipe->link = link;
  pipe->upstream = upstream;
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->pipes, pipe);
  pipe->thread = g_thread_new ("dc-test-proxy-pipe", pipe_thread, pipe);
  g_mutex_unlock (&self->lock);
}

static GSocket *
connect_upstream (DcTestProxy *self)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback,
                                                                 self->upstream_port);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, NULL);

  if (socket == NULL)
    return NULL;
  if (!g_socket_connect (socket, address, self->cancellable, NULL))
    {
      g_object_unref (socket);
      return NULL;
    }
  return socket;
}

static gpointer
accept_thread (gpointer data)
{
  DcTestProxy *self = data;

  for (;;)
    {
      GSocket *client = g_socket_accept (self->listener, self->cancellable, NULL);
      GSocket *server;
      Link *link;

      if (client == NULL)
        break;
      server = connect_upstream (self);
      if (server == NULL)
        {
          g_socket_close (client, NULL);
          g_object_unref (client);
          continue;
        }
      g_socket_set_blocking (client, TRUE);
      g_socket_set_option (client, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      g_socket_set_option (server, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

      link = g_new0 (Link, 1);
      link->client = client;
      link->server = server;
      g_atomic_ref_count_init (&link->ref);
      g_atomic_ref_count_inc (&link->ref);
      g_mutex_lock (&self->lock);
      self->n_accepted++;
      g_mutex_unlock (&self->lock);
      start_pipe (self, link, TRUE);
      start_pipe (self, link, FALSE);
    }
  return NULL;
}

DcTestProxy *
dc_test_proxy_new (guint16 upstream_port)
{
  DcTestProxy *self = g_new0 (DcTestProxy, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&self->lock);
  self->pipes = g_ptr_array_new ();
  self->upstream_port = upstream_port;
  self->cancellable = g_cancellable_new ();
  self->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (self->listener, any, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (self->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (self->listener, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  self->acceptor = g_thread_new ("dc-test-proxy", accept_thread, self);
  return self;
}

guint16
dc_test_proxy_get_port (DcTestProxy *self)
{
  return self->port;
}

void
dc_test_proxy_set_fault (DcTestProxy      *self,
                         DcTestProxyFault  fault,
                         guint             arg)
{
  g_mutex_lock (&self->lock);
  self->fault = fault;
  self->arg = arg;
  self->epoch++;
  g_mutex_unlock (&self->lock);
}

guint
dc_test_proxy_n_accepted (DcTestProxy *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_accepted;
  g_mutex_unlock (&self->lock);
  return n;
}

void
dc_test_proxy_free (DcTestProxy *self)
{
  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_thread_join (self->acceptor);
  /* Every link closed, so that each pipe's receive returns. */
  for (guint i = 0; i < self->pipes->len; i++)
    link_close (((Pipe *) g_ptr_array_index (self->pipes, i))->link);
  for (guint i = 0; i < self->pipes->len; i++)
    {
      Pipe *pipe = g_ptr_array_index (self->pipes, i);

      g_thread_join (pipe->thread);
      link_unref (pipe->link);
      g_free (pipe);
    }
  g_ptr_array_unref (self->pipes);
  g_socket_close (self->listener, NULL);
  g_object_unref (self->listener);
  g_object_unref (self->cancellable);
  g_mutex_clear (&self->lock);
  g_free (self);
}
