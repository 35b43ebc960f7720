#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A central DataColl aggregating two edge DataColls over one broker (docs/sparkplug.md,
"Southbound"), end to end with real processes only.

One mosquitto; two Modbus simulators (`datacoll-sim modbus`); two edge `datacoll --server`
processes with [sparkplug] enabled, each polling its simulator (one register that changes on
every read, one that only a write changes); one central `datacoll --server` with one sparkplug
device per edge node and nothing else configured. It checks that the central /values shows both
edges' values, that its history has them, that an alarm on a central point (a limit set on the
point the births made) becomes active, and that a control sent from the central reaches the
edge's simulator (the edge reads the written register back).

Usage: test-sparkplug-aggregate.py DATACOLL DATACOLL_SIM EDGE_TEST"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
import dc_test_sparkplug as sp  # noqa: E402 (after the path)
fail, rest, DEADLINE = sp.fail, sp.rest, sp.DEADLINE

GROUP = "Plant"
EDGES = ("edgeA", "edgeB")


def wait_until(what, check, deadline=2 * DEADLINE):
    end = time.monotonic() + deadline
    last = None
    while time.monotonic() < end:
        last = check()
        if last:
            return last
        time.sleep(0.1)
    fail("%s: not within %.0f s (last: %r)" % (what, deadline, last))


def start_sim(sim, processes):
    process = subprocess.Popen([sim, "modbus", "--port", "0", "--registers", "100",
                                "--changing", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    processes.append(process)
    line = process.stdout.readline()
    found = re.search(r"listening on port (\d+)", line)
    if not found:
        fail("datacoll-sim did not start: %r" % line)
    return int(found.group(1))


def start_edge(datacoll, tmp, name, mqtt_port, sim_port, processes):
    conf = os.path.join(tmp, name + ".conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write("[server]\nport=0\ndb=%s\n\n[sparkplug]\nenabled=true\nport=%d\n"
                "group_id=%s\nedge_node_id=%s\n" % (os.path.join(tmp, name + ".db"), mqtt_port,
                                                   GROUP, name))
    server = sp.start_server(datacoll, conf, processes)
    base = server.base
    # The edge's own configuration: one Modbus device, its unit, two registers.
    rest(base, "POST", "/api/v1/devices", {"id": "plc", "protocol": "modbus_tcp",
                                           "ip": "127.0.0.1", "port": sim_port, "poll_ms": 200})
    rest(base, "POST", "/api/v1/terms", {"id": "1", "device_id": "plc", "address": 1})
    rest(base, "POST", "/api/v1/items", {"id": "level", "unit": "m"})
    rest(base, "POST", "/api/v1/items", {"id": "sp"})
    rest(base, "POST", "/api/v2/term_items", [
        {"device_id": "plc", "term_id": "1", "item_id": "level", "protocol_code": 0,
         "code_type": "hr:u16"},
        {"device_id": "plc", "term_id": "1", "item_id": "sp", "protocol_code": 1,
         "code_type": "hr:u16"},
    ])
    return base


def values(base, device=None):
    path = "/api/v1/values" + ("?device_id=" + device if device else "")
    return {(s["device_id"], s["term_id"], s["item_id"]): s
            for s in json.loads(rest(base, "GET", path))}


def main():
    datacoll, sim = sys.argv[1], sys.argv[2]
    sp.run_main("dc-sparkplug-aggregate-", run, datacoll, sim)


def run(datacoll, sim, tmp, processes):
    mqtt_port = sp.free_port()
    conf = os.path.join(tmp, "mosquitto.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                "log_dest stderr\n" % mqtt_port)
    sp.start_broker(conf, processes)

    edges = {}
    for name in EDGES:
        edges[name] = start_edge(datacoll, tmp, name, mqtt_port, start_sim(sim, processes),
                                 processes)

    central_conf = os.path.join(tmp, "central.conf")
    with open(central_conf, "w", encoding="utf-8") as f:
        f.write("[server]\nport=0\ndb=%s\n" % os.path.join(tmp, "central.db"))
    central = sp.start_server(datacoll, central_conf, processes).base
    # The central's whole configuration: one device per edge node.
    for name in EDGES:
        rest(central, "POST", "/api/v1/devices", {
            "id": name, "protocol": "sparkplug", "ip": "127.0.0.1", "port": mqtt_port,
            "group_id": GROUP, "edge_node_id": name})

    # Both edges' values at the central, good, and moving with the simulators.
    keys = {name: (name, "%s.plc.1" % name, "level") for name in EDGES}
    first = wait_until("both edges' values at the central", lambda: (
        lambda v: all(k in v and v[k]["quality"] == 0 and v[k]["value"] > 0
                      for k in keys.values()) and v)(values(central)))
    for name in EDGES:
        wait_until("%s's value moving at the central" % name, lambda: (
            values(central)[keys[name]]["value"] > first[keys[name]]["value"]))
    # The central learnt the unit with the point (no item configured by hand).
    if json.loads(rest(central, "GET", "/api/v1/items/level")).get("unit") != "m":
        fail("the central's item level has not the edge's unit")
    print("central /values: both edges live", flush=True)

    # History at the central.
    for name in EDGES:
        _, term, item = keys[name]
        path = "/api/v1/devices/%s/terms/%s/items/%s/datas" % (name, term, item)
        wait_until("history of %s at the central" % name,
                   lambda: len(json.loads(rest(central, "GET", path))) >= 2)
    print("central history: both edges", flush=True)

    # An alarm on a point the births made: a high limit below the value.
    _, term, item = keys["edgeB"]
    rest(central, "PUT", "/api/v1/terms/%s/items/%s" % (urllib.parse.quote(term), item),
         {"up_limit": 0})

    def high_alarm():
        for a in json.loads(rest(central, "GET", "/api/v1/alarms")):
            if a.get("term_id") == term and a.get("condition") == "high" and \
                    a.get("state") == "active_unacknowledged":
                return a
        return None
    wait_until("the high alarm of edgeB's level at the central", high_alarm)
    print("central alarm active", flush=True)

    # A control from the central reaches edgeA's simulator: the edge reads it back.
    answer = json.loads(rest(central, "POST", "/api/v1/device_ctrl", {
        "device_id": "edgeA", "term_id": "edgeA.plc.1", "item_id": "sp", "value": 42}))
    if answer.get("value") != 42:
        fail("central device_ctrl answer: %s" % answer)
    wait_until("the written register read by edgeA from its simulator",
               lambda: values(edges["edgeA"], "plc").get(("plc", "1", "sp"), {}).get("value")
               == 42)
    wait_until("the new value back at the central",
               lambda: values(central, "edgeA").get(("edgeA", "edgeA.plc.1", "sp"),
                                                    {}).get("value") == 42)
    print("central control reached edgeA's simulator", flush=True)


if __name__ == "__main__":
    main()
