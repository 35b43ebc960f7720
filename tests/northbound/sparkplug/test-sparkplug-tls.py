#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The edge node over TLS (docs/sparkplug.md, "TLS"): a mosquitto TLS listener with a
certificate that this test makes with openssl (its own CA), the independent consumer over TLS
too (paho-mqtt), and [sparkplug] tls_ca naming the CA file.

- With the CA of another authority, the node refuses the broker's certificate: no session
  (the broker's log says the handshake failed, /status says not connected).
- With the right CA: NBIRTH, DBIRTH, DDATA, /status tls and connected; NDEATH on SIGTERM.
- The broker's certificate names another host: refused too (the name is checked).

Usage: test-sparkplug-tls.py DATACOLL PROTO_DIR"""

import getpass
import json
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
import dc_test_sparkplug as sp  # noqa: E402 (after the path)

import paho.mqtt.client as mqtt

DEADLINE = sp.DEADLINE
GROUP, NODE, DEVICE, PREFIX = sp.GROUP, sp.NODE, sp.DEVICE, sp.PREFIX
fail = sp.fail


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def make_ca(tmp, name):
    key, cert = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".pem")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
            "-days", "2", "-subj", "/CN=" + name)
    return key, cert


def make_server_cert(tmp, ca_key, ca_cert, name, san):
    key, csr = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".csr")
    cert, ext = os.path.join(tmp, name + ".pem"), os.path.join(tmp, name + ".ext")
    with open(ext, "w", encoding="utf-8") as f:
        f.write("subjectAltName=%s\n" % san)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
            "-subj", "/CN=" + name)
    openssl("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial",
            "-out", cert, "-days", "2", "-extfile", ext)
    return key, cert


class TlsConsumer(sp.Consumer):
    """The edge test's consumer, over TLS."""

    def __init__(self, port, pb, ca):
        import queue
        import threading
        self.pb = pb
        self.messages = queue.Queue()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(client_id="sparkplug-test-tls-consumer", clean_session=True)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.client.tls_set(ca_certs=ca)
        self.client.connect("localhost", port, keepalive=30)
        self.client.loop_start()
        if not self.connected.wait(DEADLINE) or not self.subscribed.wait(DEADLINE):
            fail("the TLS consumer cannot connect and subscribe")
        self.seq = None


def status(base):
    return json.loads(sp.rest(base, "GET", "/api/v1/status"))["sparkplug"]


def main():
    datacoll, proto_dir = sys.argv[1], sys.argv[2]
    sp.run_main("dc-sparkplug-tls-", run, datacoll, proto_dir)


def run(datacoll, proto_dir, tmp, processes):
    pb = sp.generate_classes(proto_dir, tmp)
    ca_key, ca = make_ca(tmp, "test-ca")
    _, other_ca = make_ca(tmp, "other-ca")
    srv_key, srv_cert = make_server_cert(tmp, ca_key, ca, "broker",
                                         "DNS:localhost,IP:127.0.0.1")
    wrong_key, wrong_cert = make_server_cert(tmp, ca_key, ca, "elsewhere",
                                             "DNS:elsewhere.invalid")

    port = sp.free_port()

    def start_broker(key, cert):
        conf = os.path.join(tmp, "mosquitto-%s.conf" % os.path.basename(cert))
        # user: mosquitto started as root would read the files as user mosquitto.
        with open(conf, "w", encoding="utf-8") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "log_dest stderr\ncafile %s\ncertfile %s\nkeyfile %s\nuser %s\n"
                    % (port, ca, cert, key, getpass.getuser()))
        return sp.start_broker(conf, processes)

    def start_edge(ca_file):
        dc_conf = os.path.join(tmp, "datacoll.conf")
        with open(dc_conf, "w", encoding="utf-8") as f:
            f.write("[server]\nport=0\ndb=%s\n\n[sparkplug]\nenabled=true\nhost=localhost\n"
                    "port=%d\ngroup_id=%s\nedge_node_id=%s\ntls_ca=%s\n"
                    % (os.path.join(tmp, "dc.db"), port, GROUP, NODE,
                       os.path.basename(ca_file)))
        return sp.start_server(datacoll, dc_conf, processes)

    def refused(server, broker, what):
        sp.wait_for_more(broker.lines, r"(OpenSSL Error|protocol error|disconnected)",
                           "the broker's log of a refused handshake (%s)" % what)
        st = status(server.base)
        if st["connected"] or not st["tls"]:
            fail("%s: /status %s" % (what, st))
        server.send_signal(signal.SIGTERM)
        if server.wait(DEADLINE) != 0:
            fail("datacoll did not stop cleanly")
        print("%s: no session" % what, flush=True)

    broker = start_broker(srv_key, srv_cert)
    consumer = TlsConsumer(port, pb, ca)

    # Another authority's CA: the broker's certificate is refused.
    refused(start_edge(other_ca), broker, "another CA")

    # The right CA: a session over TLS.
    server = start_edge(ca)
    nbirth = consumer.expect(PREFIX + "/NBIRTH/" + NODE)
    base = server.base
    sp.rest(base, "POST", "/api/v1/devices", {"id": DEVICE, "protocol": "virtual"})
    sp.rest(base, "POST", "/api/v1/terms", {"id": "t1", "device_id": DEVICE})
    sp.rest(base, "POST", "/api/v1/items", {"id": "temp"})
    sp.rest(base, "POST", "/api/v2/term_items",
              [{"device_id": DEVICE, "term_id": "t1", "item_id": "temp"}])
    dtopic = lambda kind: "%s/%s/%s/%s" % (PREFIX, kind, NODE, DEVICE)
    consumer.expect(dtopic("DBIRTH"), lambda p: len(p.metrics) == 1, "DBIRTH over TLS")
    sp.rest(base, "POST", "/api/v1/device_ctrl",
              {"device_id": DEVICE, "term_id": "t1", "item_id": "temp", "value": 42.5})
    consumer.expect(dtopic("DDATA"),
                    lambda p: any(m.double_value == 42.5 for m in p.metrics), "DDATA over TLS")
    st = status(base)
    if not st["connected"] or not st["tls"] or st["state"] != "online":
        fail("/status over TLS: %s" % st)
    server.send_signal(signal.SIGTERM)
    death = consumer.expect(PREFIX + "/NDEATH/" + NODE)
    if sp.metric(death, "bdSeq").long_value != sp.metric(nbirth, "bdSeq").long_value:
        fail("NDEATH and NBIRTH disagree on bdSeq")
    if server.wait(DEADLINE) != 0:
        fail("datacoll did not stop cleanly")
    print("TLS with the right CA: NBIRTH, DBIRTH, DDATA, NDEATH", flush=True)
    consumer.client.loop_stop()
    broker.terminate()
    broker.wait()

    # A certificate of the right CA for another name: refused (the host name is checked).
    broker = start_broker(wrong_key, wrong_cert)
    refused(start_edge(ca), broker, "another host name")


if __name__ == "__main__":
    main()
