#!/usr/bin/python3
"""An independent Modbus slave for tests and bench work, built on pymodbus 3.0.0rc1 (Debian's
python3-pymodbus). Run it with /usr/bin/python3: a python3 earlier on PATH may not see pymodbus.

  pymodbus_server.py --mode tcp --port 5020 --units 1,2 --init '{"1": {"holding": {"0": [1, 2]}}}'
  pymodbus_server.py --mode rtu --device /tmp/pty-b --baud 9600
  pymodbus_server.py --mode rtu-over-tcp --port 5021

Prints one line `READY <mode> <where>` on stdout once it listens, and exits 0 on SIGTERM/SIGINT.

Each unit has 200 holding, input, coil and discrete addresses (zero-based), all 0 unless --init sets
them. --init is JSON: {unit: {area: {start address: value or [values]}}}, area one of holding,
input, coil, discrete. Reading past the end gives exception 2 (illegal data address). A request to a
unit that is not configured gets no reply at all, like a dead RS-485 slave: pymodbus 3.0.0rc1's
framers drop frames for unknown unit ids before its "missing slave" handling could answer 0x0B.

Commands on stdin, one per line (so a test can change the field while it runs):
  mute <unit>      stop answering as that unit (a slave that died)
  unmute <unit>
  set <unit> <area> <address> <value>
"""
import argparse
import asyncio
import json
import logging
import signal
import sys
import threading

from pymodbus.datastore import (
    ModbusSequentialDataBlock,
    ModbusServerContext,
    ModbusSlaveContext,
)
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.framer.socket_framer import ModbusSocketFramer
from pymodbus.server.async_io import ModbusSerialServer, ModbusTcpServer

AREA_SIZE = 200
# pymodbus keys its data blocks by these names; fc-as-hex picks the block on execute.
AREA_KEYS = {"holding": "hr", "input": "ir", "coil": "co", "discrete": "di"}
AREA_FC = {"holding": 3, "input": 4, "coil": 1, "discrete": 2}


def build_unit(init):
    """One slave with four zero-based areas; init is {area: {address: value | [values]}}."""
    blocks = {
        key: ModbusSequentialDataBlock(0, [0] * AREA_SIZE) for key in AREA_KEYS.values()
    }
    # zero_mode: address 0 on the wire is index 0 (pymodbus otherwise adds 1).
    context = ModbusSlaveContext(zero_mode=True, **blocks)
    for area, values in (init or {}).items():
        for start, value in values.items():
            seq = value if isinstance(value, list) else [value]
            context.setValues(AREA_FC[area], int(start), [int(v) for v in seq])
    return context


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["tcp", "rtu", "rtu-over-tcp"], default="tcp")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5020)
    parser.add_argument("--device", help="serial device path for --mode rtu")
    parser.add_argument("--baud", type=int, default=9600)
    parser.add_argument("--units", default="1", help="comma-separated unit ids")
    parser.add_argument("--init", default="{}", help="JSON initial values per unit")
    parser.add_argument("--verbose", action="store_true", help="log pymodbus debug output")
    return parser.parse_args()


class Field:
    """The live state a test can change from stdin: muted units and register values."""

    def __init__(self, context):
        self.context = context
        self.muted = set()

    def manipulate(self, response):
        # pymodbus sends a skip_encoding response as raw bytes: b"" means nothing on the wire.
        if response.unit_id in self.muted:
            return b"", True
        return response, False

    def command(self, line):
        parts = line.split()
        if not parts:
            return
        if parts[0] == "mute":
            self.muted.add(int(parts[1]))
        elif parts[0] == "unmute":
            self.muted.discard(int(parts[1]))
        elif parts[0] == "set":
            unit, area, address, value = int(parts[1]), parts[2], int(parts[3]), int(parts[4])
            self.context[unit].setValues(AREA_FC[area], address, [value])
        print(f"OK {line.strip()}", flush=True)


def read_commands(loop, field):
    for line in sys.stdin:
        loop.call_soon_threadsafe(field.command, line)


async def main():
    args = parse_args()
    # pymodbus logs every closed connection as an ERROR; keep test output readable.
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.CRITICAL)
    init = json.loads(args.init)
    units = [int(u) for u in args.units.split(",") if u]
    slaves = {u: build_unit(init.get(str(u))) for u in units}
    context = ModbusServerContext(slaves=slaves, single=False)
    field = Field(context)
    loop = asyncio.get_running_loop()
    common = {"response_manipulator": field.manipulate}

    if args.mode == "rtu":
        server = ModbusSerialServer(
            context, ModbusRtuFramer, port=args.device, baudrate=args.baud, **common
        )
        await server.start()
        where = args.device
    else:
        framer = ModbusSocketFramer if args.mode == "tcp" else ModbusRtuFramer
        server = ModbusTcpServer(
            context, framer, address=(args.host, args.port), allow_reuse_address=True, **common
        )
        where = f"{args.host}:{args.port}"
    serving = asyncio.create_task(server.serve_forever())
    if args.mode != "rtu":
        await server.serving

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    threading.Thread(target=read_commands, args=(loop, field), daemon=True).start()
    print(f"READY {args.mode} {where}", flush=True)

    await stop.wait()
    serving.cancel()
    await server.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
