#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""An independent Modbus RTU peer for the DataColl tests, built on python3-pymodbus.

Usage: pymodbus-rtu-server.py PTY UNIT[,UNIT…]

Serves the units on the serial line PTY (a socat pty, 115200 8N1). Each unit U holds
hr[i] = U * 1000 + i for i < 50, and hr[50], a counter that grows by one every 10 ms (so a
live unit's value keeps changing). Units not listed stay silent, as on a real bus. Prints
"ready" once the line is open, then serves until killed. Exits with 77 when pymodbus is not
importable (the test is then skipped).
"""

import asyncio
import sys

try:
    from pymodbus.datastore import (ModbusSequentialDataBlock, ModbusServerContext,
                                    ModbusSlaveContext)
    from pymodbus.framer.rtu_framer import ModbusRtuFramer
    from pymodbus.server.async_io import ModbusSerialServer
except ImportError as exc:  # pragma: no cover
    print(f"python3-pymodbus is not usable: {exc}", file=sys.stderr)
    sys.exit(77)

COUNTER = 50


def unit_context(unit):
    hr = [unit * 1000 + i for i in range(COUNTER)] + [0] * 50
    return ModbusSlaveContext(
        co=ModbusSequentialDataBlock(0, [False] * 100),
        di=ModbusSequentialDataBlock(0, [False] * 100),
        hr=ModbusSequentialDataBlock(0, hr),
        ir=ModbusSequentialDataBlock(0, [0] * 100),
        zero_mode=True,
    )


async def count(context, units):
    value = 0
    while True:
        await asyncio.sleep(0.01)
        value = (value + 1) & 0xFFFF
        for unit in units:
            context[unit].setValues(3, COUNTER, [value])


async def main():
    port = sys.argv[1]
    units = [int(u) for u in sys.argv[2].split(",")]
    context = ModbusServerContext(slaves={u: unit_context(u) for u in units}, single=False)
    server = ModbusSerialServer(context, framer=ModbusRtuFramer, port=port, baudrate=115200,
                                parity="N", ignore_missing_slaves=True)
    await server.start()
    asyncio.create_task(count(context, units))
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
