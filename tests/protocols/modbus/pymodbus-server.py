#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""An independent Modbus TCP peer for the DataColl tests, built on python3-pymodbus.

Serves unit 1 with known values in every word order (encoded here with struct, not with
DataColl's code), prints "port N" once listening on 127.0.0.1, then serves until killed.
Exits with 77 when pymodbus is not importable (the test is then skipped).

Faults: --drop-unknown-units leaves requests for other units unanswered (instead of
answering "gateway target failed to respond"); --corrupt-tid N answers every Nth request
with a wrong transaction id.
"""

import asyncio
import struct
import sys

try:
    from pymodbus.datastore import (ModbusSequentialDataBlock, ModbusServerContext,
                                    ModbusSlaveContext)
    from pymodbus.server.async_io import ModbusTcpServer
except ImportError as exc:  # pragma: no cover
    print(f"python3-pymodbus is not usable: {exc}", file=sys.stderr)
    sys.exit(77)


def words(fmt, value, order):
    """Registers of value packed big-endian with struct, rearranged into order."""
    raw = struct.pack(">" + fmt, value)
    ws = [raw[i:i + 2] for i in range(0, len(raw), 2)]
    if order in ("cdab", "dcba"):
        ws.reverse()
    if order in ("badc", "dcba"):
        ws = [w[::-1] for w in ws]
    return [int.from_bytes(w, "big") for w in ws]


ORDERS = ("abcd", "cdab", "badc", "dcba")

# (address, struct format, value) per order; the C test holds the same table.
LAYOUT = [
    (10, "f", 123.456),
    (20, "d", -9876.54321),
    (40, "I", 3000000000),
    (60, "q", -1234567890123),
    (80, "i", -100000),
]


def build():
    hr = [0] * 200
    ir = [0] * 200
    hr[0] = 65000
    hr[1] = struct.unpack(">H", struct.pack(">h", -1234))[0]
    for base, fmt, value in LAYOUT:
        size = struct.calcsize(fmt) // 2
        for i, order in enumerate(ORDERS):
            ws = words(fmt, value, order)
            hr[base + i * size:base + (i + 1) * size] = ws
            ir[base + i * size:base + (i + 1) * size] = ws
    hr[100] = 0b1010
    co = [False] * 200
    co[3] = True
    di = [False] * 200
    di[4] = True
    slave = ModbusSlaveContext(
        co=ModbusSequentialDataBlock(0, co),
        di=ModbusSequentialDataBlock(0, di),
        hr=ModbusSequentialDataBlock(0, hr),
        ir=ModbusSequentialDataBlock(0, ir),
        zero_mode=True,
    )
    return ModbusServerContext(slaves={1: slave}, single=False)


def tid_corrupter(every):
    """A response manipulator that gives every Nth response a transaction id off by 0x5a5a."""
    count = [0]

    def manipulate(response):
        count[0] += 1
        if count[0] % every == 0:
            response.transaction_id = (response.transaction_id + 0x5A5A) & 0xFFFF
        return response, False

    return manipulate


async def main():
    kwargs = {}
    if "--drop-unknown-units" in sys.argv:
        kwargs["ignore_missing_slaves"] = True
    if "--corrupt-tid" in sys.argv:
        every = int(sys.argv[sys.argv.index("--corrupt-tid") + 1])
        kwargs["response_manipulator"] = tid_corrupter(every)
    server = ModbusTcpServer(build(), address=("127.0.0.1", 0), **kwargs)
    task = asyncio.create_task(server.serve_forever())
    await server.serving
    print(f"port {server.server.sockets[0].getsockname()[1]}", flush=True)
    await task


if __name__ == "__main__":
    asyncio.run(main())
