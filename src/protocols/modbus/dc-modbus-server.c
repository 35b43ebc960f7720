/* dc-modbus-server.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-modbus-server"

#include "config.h"

#include "dc-modbus-server.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <modbus.h>

#include "dc-error.h"

#define IN_BUF_SIZE 4096

typedef struct
{
  guint8   unit;
  guint8  *co;
  guint8  *di;
  guint16 *ir;
  guint16 *hr;
  guint8  *hr_written;
} SimUnit;

typedef struct _SimServer SimServer;

typedef struct
{
  SimServer  *server;
  GSocket    *socket;
  GSource    *in_source;
  GSource    *out_source;
  GByteArray *out;
  gsize       in_len;
  guint8      in[IN_BUF_SIZE];
} SimConn;

struct _SimServer
{
  DcModbusSim *sim;
  guint        index;
  guint16      port;
  GSocket     *listener;
  GSource     *accept_source;
  /* RTU */
  modbus_t    *rtu_ctx;
  int          rtu_fd;
  GSource     *rtu_source;
  gsize        rtu_len;
  guint8       rtu_in[IN_BUF_SIZE];
  SimUnit     *units[256];
};

struct _DcModbusSim
{
  GMainContext *context;
  GPtrArray    *servers;   /* SimServer, TCP first, then RTU */
  GHashTable   *conns;     /* SimConn set */
  guint         n_ports;
  guint         n_registers;
  gboolean      animate;
  guint         change_percent;
  gboolean      mask_write;
  gboolean      mute;
  guint64       requests[256];
  guint64       total_requests;
};

static void
sim_unit_free (SimUnit *u)
{
  if (u == NULL)
    return;
  g_free (u->co);
  g_free (u->di);
  g_free (u->ir);
  g_free (u->hr);
  g_free (u->hr_written);
  g_free (u);
}

static SimUnit *
sim_unit_new (guint8 unit,
              guint  n)
{
  SimUnit *u = g_new0 (SimUnit, 1);

  u->unit = unit;
  u->co = g_new0 (guint8, n);
  u->di = g_new0 (guint8, n);
  u->ir = g_new0 (guint16, n);
  u->hr = g_new0 (guint16, n);
  u->hr_written = g_new0 (guint8, n);
  for (guint i = 0; i < n; i++)
    {
      u->co[i] = i % 2;
      u->di[i] = i % 3 == 0;
      u->ir[i] = i + unit;
      u->hr[i] = i;
    }
  return u;
}

static inline guint16
get16 (const guint8 *p)
{
  return (p[0] << 8) | p[1];
}

static inline void
put16 (guint8  *p,
       guint16  v)
{
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

static gsize
exception_pdu (guint8 *rsp,
               guint8  fc,
               guint8  code)
{
  rsp[0] = fc | 0x80;
  rsp[1] = code;
  return 2;
}

/* Processes one request PDU; returns the response PDU length. */
static gsize
sim_process (DcModbusSim  *sim,
             SimUnit      *u,
             const guint8 *req,
             gsize         len,
             guint8       *rsp)
{
  guint n = sim->n_registers;
  guint8 fc = req[0];
  guint addr, count;

  sim->requests[fc]++;
  sim->total_requests++;

  switch (fc)
    {
    case DC_MODBUS_FC_READ_COILS:
    case DC_MODBUS_FC_READ_DISCRETE_INPUTS:
      {
        guint8 *bits = fc == DC_MODBUS_FC_READ_COILS ? u->co : u->di;

        if (len != 5)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_VALUE);
        addr = get16 (req + 1);
        count = get16 (req + 3);
        if (count < 1 || count > DC_MODBUS_MAX_BITS)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_VALUE);
        if (addr + count > n)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_ADDRESS);
        rsp[0] = fc;
        rsp[1] = (count + 7) / 8;
        memset (rsp + 2, 0, rsp[1]);
        for (guint i = 0; i < count; i++)
          if (bits[addr + i])
            rsp[2 + i / 8] |= 1 << (i % 8);
        if (sim->animate && fc == DC_MODBUS_FC_READ_DISCRETE_INPUTS)
          for (guint i = 0; i < count; i++)
            u->di[addr + i] ^= 1;
        return 2 + rsp[1];
      }
    case DC_MODBUS_FC_READ_HOLDING_REGISTERS:
    case DC_MODBUS_FC_READ_INPUT_REGISTERS:
      {
        gboolean hr = fc == DC_MODBUS_FC_READ_HOLDING_REGISTERS;
        guint16 *regs = hr ? u->hr : u->ir;

        if (len != 5)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_VALUE);
        addr = get16 (req + 1);
        count = get16 (req + 3);
        if (count < 1 || count > DC_MODBUS_MAX_REGISTERS)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_VALUE);
        if (addr + count > n)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_ADDRESS);
        rsp[0] = fc;
        rsp[1] = count * 2;
        for (guint i = 0; i < count; i++)
          put16 (rsp + 2 + 2 * i, regs[addr + i]);
        if (sim->animate)
          for (guint i = 0; i < count; i++)
            if ((!hr || !u->hr_written[addr + i]) &&
                (addr + i) % 100 < sim->change_percent)
              regs[addr + i]++;
        return 2 + count * 2;
      }
    case DC_MODBUS_FC_WRITE_SINGLE_COIL:
      {
        guint16 v;

        if (len != 5)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_VALUE);
        addr = get16 (req + 1);
        v = get16 (req + 3);
        if (v != 0xff00 && v != 0x0000)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_VALUE);
        if (addr >= n)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_ADDRESS);
        u->co[addr] = v == 0xff00;
        memcpy (rsp, req, 5);
        return 5;
      }
    case DC_MODBUS_FC_WRITE_SINGLE_REGISTER:
      if (len != 5)
        return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_VALUE);
      addr = get16 (req + 1);
      if (addr >= n)
        return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_ADDRESS);
      u->hr[addr] = get16 (req + 3);
      u->hr_written[addr] = TRUE;
      memcpy (rsp, req, 5);
      return 5;
    case DC_MODBUS_FC_WRITE_MULTIPLE_COILS:
    case DC_MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
      {
        gboolean coils = fc == DC_MODBUS_FC_WRITE_MULTIPLE_COILS;
        guint max = coils ? 1968 : DC_MODBUS_MAX_WRITE_REGS;
        guint nbytes;

        if (len < 6)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_VALUE);
        addr = get16 (req + 1);
        count = get16 (req + 3);
        nbytes = coils ? (count + 7) / 8 : count * 2;
        if (count < 1 || count > max || req[5] != nbytes || len != 6 + nbytes)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_VALUE);
        if (addr + count > n)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_ADDRESS);
        for (guint i = 0; i < count; i++)
          {
            if (coils)
              u->co[addr + i] = (req[6 + i / 8] >> (i % 8)) & 1;
            else
              {
                u->hr[addr + i] = get16 (req + 6 + 2 * i);
                u->hr_written[addr + i] = TRUE;
              }
          }
        memcpy (rsp, req, 5);
        return 5;
      }
    case DC_MODBUS_FC_MASK_WRITE_REGISTER:
      {
        guint16 and_mask, or_mask;

        if (!sim->mask_write)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_FUNCTION);
        if (len != 7)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_VALUE);
        addr = get16 (req + 1);
        if (addr >= n)
          return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_DATA_ADDRESS);
        and_mask = get16 (req + 3);
        or_mask = get16 (req + 5);
        u->hr[addr] = (u->hr[addr] & and_mask) | (or_mask & ~and_mask);
        u->hr_written[addr] = TRUE;
        memcpy (rsp, req, 7);
        return 7;
      }
    default:
      return exception_pdu (rsp, fc, DC_MODBUS_EX_ILLEGAL_FUNCTION);
    }
}

/* TCP */

static void
sim_conn_free (SimConn *conn)
{
  if (conn->in_source != NULL)
    {
      g_source_destroy (conn->in_source);
      g_source_unref (conn->in_source);
    }
  if (conn->out_source != NULL)
    {
      g_source_destroy (conn->out_source);
      g_source_unref (conn->out_source);
    }
  g_socket_close (conn->socket, NULL);
  g_object_unref (conn->socket);
  g_byte_array_unref (conn->out);
  g_free (conn);
}

static void
sim_conn_close (SimConn *conn)
{
  g_hash_table_remove (conn->server->sim->conns, conn);
}

static gboolean sim_conn_out_cb (GSocket      *socket,
                                 GIOCondition  condition,
                                 gpointer      user_data);

/* Sends what is queued; returns FALSE when the connection failed. */
static gboolean
sim_conn_flush (SimConn *conn)
{
  while (conn->out->len > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (conn->socket, (const char *) conn->out->data, conn->out->len,
                                NULL, &error);

      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              if (conn->out_source == NULL)
                {
                  conn->out_source = g_socket_create_source (conn->socket, G_IO_OUT, NULL);
                  g_source_set_callback (conn->out_source, (GSourceFunc) (void (*)(void)) sim_conn_out_cb,
                                         conn, NULL);
                  g_source_attach (conn->out_source, conn->server->sim->context);
                }
              return TRUE;
            }
          return FALSE;
        }
      g_byte_array_remove_range (conn->out, 0, n);
    }
  if (conn->out_source != NULL)
    {
      g_source_destroy (conn->out_source);
      g_clear_pointer (&conn->out_source, g_source_unref);
    }
  return TRUE;
}

static gboolean
sim_conn_out_cb (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  SimConn *conn = user_data;

  if (!sim_conn_flush (conn))
    {
      sim_conn_close (conn);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
sim_conn_handle_frame (SimConn      *conn,
                       const guint8 *frame,
                       gsize         len)
{
  SimServer *server = conn->server;
  DcModbusSim *sim = server->sim;
  guint8 rsp[DC_MODBUS_MAX_ADU];
  guint8 unit = frame[6];
  SimUnit *u = server->units[unit];
  gsize rsp_len;

  if (sim->mute)
    return;

  if (u == NULL)
    {
      sim->requests[frame[7]]++;
      sim->total_requests++;
      rsp_len = exception_pdu (rsp + 7, frame[7], DC_MODBUS_EX_GATEWAY_TARGET_FAILED);
    }
  else
    rsp_len = sim_process (sim, u, frame + 7, len - 7, rsp + 7);

  memcpy (rsp, frame, 4);
  put16 (rsp + 4, rsp_len + 1);
  rsp[6] = unit;
  g_byte_array_append (conn->out, rsp, rsp_len + 7);
}

static gboolean
sim_conn_in_cb (GSocket      *socket,
                GIOCondition  condition,
                gpointer      user_data)
{
  SimConn *conn = user_data;
  gsize pos = 0;

  {
    g_autoptr(GError) error = NULL;
    gssize n = g_socket_receive (socket, (char *) conn->in + conn->in_len,
                                 IN_BUF_SIZE - conn->in_len, NULL, &error);

    if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      return G_SOURCE_CONTINUE;
    if (n <= 0)
      {
        sim_conn_close (conn);
        return G_SOURCE_REMOVE;
      }
    conn->in_len += n;
  }

  while (conn->in_len - pos >= DC_MODBUS_MBAP_HEADER + 1)
    {
      gsize flen = dc_modbus_mbap_frame_length (conn->in + pos);

      if (flen == 0)
        {
          /* Not Modbus: drop the connection as a real device would. */
          sim_conn_close (conn);
          return G_SOURCE_REMOVE;
        }
      if (conn->in_len - pos < flen)
        break;
      sim_conn_handle_frame (conn, conn->in + pos, flen);
      pos += flen;
    }
  if (pos > 0)
    {
      memmove (conn->in, conn->in + pos, conn->in_len - pos);
      conn->in_len -= pos;
    }

  if (!sim_conn_flush (conn))
    {
      sim_conn_close (conn);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
sim_accept_cb (GSocket      *listener,
               GIOCondition  condition,
               gpointer      user_data)
{
  SimServer *server = user_data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GSocket *socket = g_socket_accept (listener, NULL, &error);
      SimConn *conn;

      if (socket == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("accept on port %u: %s", server->port, error->message);
          break;
        }
      g_socket_set_blocking (socket, FALSE);
      g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      conn = g_new0 (SimConn, 1);
      conn->server = server;
      conn->socket = socket;
      conn->out = g_byte_array_new ();
      conn->in_source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (conn->in_source, (GSourceFunc) (void (*)(void)) sim_conn_in_cb,
                             conn, NULL);
      g_source_attach (conn->in_source, server->sim->context);
      g_hash_table_add (server->sim->conns, conn);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
sim_server_listen (SimServer   *server,
                   const char  *bind_address,
                   guint16      port,
                   GError     **error)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (bind_address);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) local = NULL;

  if (inet == NULL)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "invalid bind address %s", bind_address);
      return FALSE;
    }
  address = g_inet_socket_address_new (inet, port);
  server->listener = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_TCP, error);
  if (server->listener == NULL)
    return FALSE;
  g_socket_set_blocking (server->listener, FALSE);
  g_socket_set_listen_backlog (server->listener, 1024);
  if (!g_socket_bind (server->listener, address, TRUE, error) ||
      !g_socket_listen (server->listener, error))
    return FALSE;
  local = g_socket_get_local_address (server->listener, error);
  if (local == NULL)
    return FALSE;
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  server->accept_source = g_socket_create_source (server->listener, G_IO_IN, NULL);
  g_source_set_callback (server->accept_source, (GSourceFunc) (void (*)(void)) sim_accept_cb,
                         server, NULL);
  g_source_attach (server->accept_source, server->sim->context);
  return TRUE;
}

/* RTU */

static gssize
rtu_request_length (const guint8 *buf,
                    gsize         len)
{
  if (len < 2)
    return 0;
  switch (buf[1])
    {
    case DC_MODBUS_FC_READ_COILS:
    case DC_MODBUS_FC_READ_DISCRETE_INPUTS:
    case DC_MODBUS_FC_READ_HOLDING_REGISTERS:
    case DC_MODBUS_FC_READ_INPUT_REGISTERS:
    case DC_MODBUS_FC_WRITE_SINGLE_COIL:
    case DC_MODBUS_FC_WRITE_SINGLE_REGISTER:
      return 8;
    case DC_MODBUS_FC_MASK_WRITE_REGISTER:
      return 10;
    case DC_MODBUS_FC_WRITE_MULTIPLE_COILS:
    case DC_MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
      if (len < 7)
        return 0;
      return 9 + buf[6];
    default:
      return -1;
    }
}

static gboolean
sim_rtu_in_cb (int          fd,
               GIOCondition condition,
               gpointer     user_data)
{
  SimServer *server = user_data;
  DcModbusSim *sim = server->sim;
  gssize n;

  n = read (fd, server->rtu_in + server->rtu_len, IN_BUF_SIZE - server->rtu_len);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      /* The other side of the pty is not open (EIO) or closed: keep waiting without spinning
       * by dropping input until it comes back. */
      if (condition & G_IO_HUP)
        g_usleep (G_USEC_PER_SEC / 100);
      return G_SOURCE_CONTINUE;
    }
  server->rtu_len += n;

  for (;;)
    {
      gssize flen = rtu_request_length (server->rtu_in, server->rtu_len);
      guint8 rsp[DC_MODBUS_MAX_ADU];
      SimUnit *u;
      gsize rsp_len;
      guint16 crc;

      if (flen < 0)
        {
          server->rtu_len = 0; /* unknown function: resynchronise */
          break;
        }
      if (flen == 0 || (gsize) flen > server->rtu_len)
        break;

      crc = dc_modbus_crc16 (server->rtu_in, flen - 2);
      u = server->units[server->rtu_in[0]];
      if (crc == (server->rtu_in[flen - 2] | (server->rtu_in[flen - 1] << 8)) &&
          u != NULL && server->rtu_in[0] != 0)
        {
          rsp[0] = server->rtu_in[0];
          rsp_len = 1 + sim_process (sim, u, server->rtu_in + 1, flen - 3, rsp + 1);
          crc = dc_modbus_crc16 (rsp, rsp_len);
          rsp[rsp_len++] = crc & 0xff;
          rsp[rsp_len++] = crc >> 8;
          if (write (fd, rsp, rsp_len) != (gssize) rsp_len)
            g_debug ("RTU write: %s", g_strerror (errno));
        }
      else if (crc != (server->rtu_in[flen - 2] | (server->rtu_in[flen - 1] << 8)))
        {
          server->rtu_len = 0;
          break;
        }
      memmove (server->rtu_in, server->rtu_in + flen, server->rtu_len - flen);
      server->rtu_len -= flen;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
sim_server_open_rtu (SimServer   *server,
                     const char  *path,
                     GError     **error)
{
  /* libmodbus opens and configures the line (termios, raw mode, non-blocking); the framing is
   * ours so that one line serves several units (libmodbus' server filters on one slave id). */
  server->rtu_ctx = modbus_new_rtu (path, 115200, 'N', 8, 1);
  if (server->rtu_ctx == NULL || modbus_connect (server->rtu_ctx) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot open serial line %s: %s", path, modbus_strerror (errno));
      return FALSE;
    }
  server->rtu_fd = modbus_get_socket (server->rtu_ctx);
  server->rtu_source = g_unix_fd_source_new (server->rtu_fd, G_IO_IN);
  g_source_set_callback (server->rtu_source, (GSourceFunc) (void (*)(void)) sim_rtu_in_cb,
                         server, NULL);
  g_source_attach (server->rtu_source, server->sim->context);
  return TRUE;
}

static void
sim_server_free (SimServer *server)
{
  if (server->accept_source != NULL)
    {
      g_source_destroy (server->accept_source);
      g_source_unref (server->accept_source);
    }
  if (server->listener != NULL)
    {
      g_socket_close (server->listener, NULL);
      g_object_unref (server->listener);
    }
  if (server->rtu_source != NULL)
    {
      g_source_destroy (server->rtu_source);
      g_source_unref (server->rtu_source);
    }
  if (server->rtu_ctx != NULL)
    {
      modbus_close (server->rtu_ctx);
      modbus_free (server->rtu_ctx);
    }
  for (guint i = 0; i < 256; i++)
    sim_unit_free (server->units[i]);
  g_free (server);
}

static SimServer *
sim_server_new (DcModbusSim  *sim,
                guint         index,
                const guint8 *units,
                guint         n_units)
{
  SimServer *server = g_new0 (SimServer, 1);

  server->sim = sim;
  server->index = index;
  server->rtu_fd = -1;
  for (guint i = 0; i < n_units; i++)
    if (server->units[units[i]] == NULL)
      server->units[units[i]] = sim_unit_new (units[i], sim->n_registers);
  return server;
}

DcModbusSim *
dc_modbus_sim_start (const DcModbusSimOptions  *options,
                     GMainContext              *context,
                     GError                   **error)
{
  static const guint8 default_units[] = { 1 };
  DcModbusSim *self;
  const guint8 *units = options->units ? options->units : default_units;
  guint n_units = options->units ? options->n_units : 1;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (options->port != 0 || options->n_ports <= 1, NULL);

  self = g_new0 (DcModbusSim, 1);
  self->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  self->servers = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_server_free);
  self->conns = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) sim_conn_free, NULL);
  self->n_ports = options->n_ports;
  self->n_registers = options->n_registers ? MIN (options->n_registers, 65536) : 10000;
  self->animate = options->animate;
  self->change_percent = options->change_percent ? MIN (options->change_percent, 100) : 100;
  self->mask_write = TRUE;

  for (guint i = 0; i < options->n_ports; i++)
    {
      SimServer *server = sim_server_new (self, i, units, n_units);
      guint port = options->port ? options->port + i : 0;

      g_ptr_array_add (self->servers, server);
      if (port > 65535)
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "port %u is out of range", port);
          dc_modbus_sim_stop (self);
          return NULL;
        }
      if (!sim_server_listen (server, options->bind_address ? options->bind_address : "127.0.0.1",
                              port, error))
        {
          dc_modbus_sim_stop (self);
          return NULL;
        }
    }

  if (options->rtu_path != NULL)
    {
      SimServer *server = sim_server_new (self, options->n_ports, units, n_units);

      g_ptr_array_add (self->servers, server);
      if (!sim_server_open_rtu (server, options->rtu_path, error))
        {
          dc_modbus_sim_stop (self);
          return NULL;
        }
    }

  return self;
}

void
dc_modbus_sim_stop (DcModbusSim *self)
{
  if (self == NULL)
    return;
  g_hash_table_destroy (self->conns);
  g_ptr_array_unref (self->servers);
  g_main_context_unref (self->context);
  g_free (self);
}

guint
dc_modbus_sim_get_n_ports (DcModbusSim *self)
{
  return self->n_ports;
}

guint16
dc_modbus_sim_get_port (DcModbusSim *self,
                        guint        index)
{
  g_return_val_if_fail (index < self->n_ports, 0);
  return ((SimServer *) g_ptr_array_index (self->servers, index))->port;
}

static SimUnit *
sim_lookup (DcModbusSim *self,
            guint        index,
            guint8       unit,
            guint16      address)
{
  SimServer *server;

  if (index >= self->servers->len || address >= self->n_registers)
    return NULL;
  server = g_ptr_array_index (self->servers, index);
  return server->units[unit];
}

gboolean
dc_modbus_sim_set_value (DcModbusSim   *self,
                         guint          index,
                         guint8         unit,
                         DcModbusTable  table,
                         guint16        address,
                         guint16        value)
{
  SimUnit *u = sim_lookup (self, index, unit, address);

  if (u == NULL)
    return FALSE;
  switch (table)
    {
    case DC_MODBUS_TABLE_CO: u->co[address] = value != 0; break;
    case DC_MODBUS_TABLE_DI: u->di[address] = value != 0; break;
    case DC_MODBUS_TABLE_IR: u->ir[address] = value; break;
    case DC_MODBUS_TABLE_HR: u->hr[address] = value; break;
    default: return FALSE;
    }
  return TRUE;
}

gboolean
dc_modbus_sim_get_value (DcModbusSim   *self,
                         guint          index,
                         guint8         unit,
                         DcModbusTable  table,
                         guint16        address,
                         guint16       *value)
{
  SimUnit *u = sim_lookup (self, index, unit, address);

  if (u == NULL)
    return FALSE;
  switch (table)
    {
    case DC_MODBUS_TABLE_CO: *value = u->co[address]; break;
    case DC_MODBUS_TABLE_DI: *value = u->di[address]; break;
    case DC_MODBUS_TABLE_IR: *value = u->ir[address]; break;
    case DC_MODBUS_TABLE_HR: *value = u->hr[address]; break;
    default: return FALSE;
    }
  return TRUE;
}

gboolean
dc_modbus_sim_set_typed (DcModbusSim            *self,
                         guint                   index,
                         guint8                  unit,
                         const DcModbusCodeType *code_type,
                         guint16                 address,
                         double                  raw)
{
  guint16 words[4] = { 0 };
  guint n = dc_modbus_code_type_width (code_type);

  if (address + n > self->n_registers)
    return FALSE;
  if (code_type->type == DC_MODBUS_TYPE_BIT &&
      !dc_modbus_sim_get_value (self, index, unit, code_type->table, address, &words[0]))
    return FALSE;
  dc_modbus_encode_raw (code_type, raw, words);
  for (guint i = 0; i < n; i++)
    if (!dc_modbus_sim_set_value (self, index, unit, code_type->table, address + i, words[i]))
      return FALSE;
  return TRUE;
}

void
dc_modbus_sim_set_animate (DcModbusSim *self,
                           gboolean     animate)
{
  self->animate = animate;
}

void
dc_modbus_sim_set_mask_write (DcModbusSim *self,
                              gboolean     supported)
{
  self->mask_write = supported;
}

void
dc_modbus_sim_set_mute (DcModbusSim *self,
                        gboolean     mute)
{
  self->mute = mute;
}

guint64
dc_modbus_sim_get_requests (DcModbusSim *self,
                            guint8       function)
{
  return self->requests[function];
}

guint64
dc_modbus_sim_get_total_requests (DcModbusSim *self)
{
  return self->total_requests;
}

guint
dc_modbus_sim_get_n_connections (DcModbusSim *self)
{
  return g_hash_table_size (self->conns);
}
