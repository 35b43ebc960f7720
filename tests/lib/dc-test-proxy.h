/* dc-test-proxy.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* A fault-injecting TCP proxy between a driver and its peer, on 127.0.0.1 port 0. Each
 * accepted connection opens one to the upstream port; two threads per connection forward the
 * bytes, through the fault set at the time. Faults apply to every connection, the current
 * ones included, until dc_test_proxy_set_fault (proxy, DC_TEST_PROXY_PASS, 0). */

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  DC_TEST_PROXY_PASS,            /* forward as received */
  DC_TEST_PROXY_ONE_BYTE,        /* each answer chunk written one byte at a time */
  DC_TEST_PROXY_RANDOM_SPLIT,    /* each answer chunk written in random pieces */
  DC_TEST_PROXY_DELAY,           /* each answer chunk held @arg ms before it is written */
  DC_TEST_PROXY_DROP_AFTER,      /* a connection closes after @arg more bytes from the peer */
  DC_TEST_PROXY_CORRUPT,         /* the byte at offset @arg of each answer chunk inverted */
  DC_TEST_PROXY_BLACKHOLE,       /* everything read and dropped, both ways */
  DC_TEST_PROXY_HALF_OPEN_UP,    /* requests dropped, answers forwarded */
  DC_TEST_PROXY_HALF_OPEN_DOWN,  /* requests forwarded, answers dropped */
} DcTestProxyFault;

typedef struct _DcTestProxy DcTestProxy;

DcTestProxy *dc_test_proxy_new        (guint16           upstream_port);
guint16      dc_test_proxy_get_port   (DcTestProxy      *self);
void         dc_test_proxy_set_fault  (DcTestProxy      *self,
                                       DcTestProxyFault  fault,
                                       guint             arg);
/* Connections accepted so far. */
guint        dc_test_proxy_n_accepted (DcTestProxy      *self);
void         dc_test_proxy_free       (DcTestProxy      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcTestProxy, dc_test_proxy_free)

G_END_DECLS
