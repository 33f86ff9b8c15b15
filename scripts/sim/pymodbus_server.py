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

--links is JSON that makes a unit behave like a device with outputs: {unit: [link, ...]}, a link
{"from": "coil:0", "to": "discrete:0", "delayMs": 300} copies what a master writes to coil 0 into
discrete input 0 after 300 ms (a breaker whose contact follows its remote switch); with "value": 0
a write of a non-zero value to "from" sets "to" to 0 instead (a self-test button that trips it).

Commands on stdin, one per line (so a test can change the field while it runs):
  mute <unit>      stop answering as that unit (a slave that died)
  unmute <unit>
  set <unit> <area> <address> <value>
  busy <unit> <n>  answer the next n writes to that unit with exception 06 (server device busy),
                   without carrying them out, as the application protocol describes
  ack <unit> <n>   carry out the next n writes to that unit but answer each with exception 05
                   (acknowledge: accepted, still working on it)
  unlink <unit>    the unit's links stop working (a breaker whose mechanism is stuck)
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
from pymodbus.pdu import ExceptionResponse
from pymodbus.framer.socket_framer import ModbusSocketFramer
from pymodbus.server.async_io import ModbusSerialServer, ModbusTcpServer

AREA_SIZE = 200
# pymodbus keys its data blocks by these names; fc-as-hex picks the block on execute.
AREA_KEYS = {"holding": "hr", "input": "ir", "coil": "co", "discrete": "di"}
AREA_FC = {"holding": 3, "input": 4, "coil": 1, "discrete": 2}


WRITE_FCS = (5, 6, 15, 16)
SERVER_DEVICE_BUSY = 0x06
ACKNOWLEDGE = 0x05


class WritableBlock(ModbusSequentialDataBlock):
    """A coil or holding block that tells the field about writes (links, busy answers)."""

    def __init__(self, field, unit, area):
        super().__init__(0, [0] * AREA_SIZE)
        self.field, self.unit, self.area = field, unit, area
        self.loading = True

    def setValues(self, address, values):
        if self.loading:
            return super().setValues(address, values)
        if self.field.take_busy(self.unit):
            return None  # not carried out: the reply will say busy
        super().setValues(address, values)
        seq = values if isinstance(values, list) else [values]
        self.field.written(self.unit, self.area, address, seq)
        return None


def build_unit(init, field, unit):
    """One slave with four zero-based areas; init is {area: {address: value | [values]}}."""
    blocks = {
        key: ModbusSequentialDataBlock(0, [0] * AREA_SIZE) for key in AREA_KEYS.values()
    }
    blocks["co"] = WritableBlock(field, unit, "coil")
    blocks["hr"] = WritableBlock(field, unit, "holding")
    # zero_mode: address 0 on the wire is index 0 (pymodbus otherwise adds 1).
    context = ModbusSlaveContext(zero_mode=True, **blocks)
    for area, values in (init or {}).items():
        for start, value in values.items():
            seq = value if isinstance(value, list) else [value]
            context.setValues(AREA_FC[area], int(start), [int(v) for v in seq])
    blocks["co"].loading = False
    blocks["hr"].loading = False
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
    parser.add_argument("--links", default="{}", help="JSON write links per unit (see above)")
    parser.add_argument("--verbose", action="store_true", help="log pymodbus debug output")
    return parser.parse_args()


class Field:
    """The live state a test can change from stdin: muted units and register values."""

    def __init__(self, links, loop):
        self.context = None
        self.muted = set()
        self.links = links
        self.loop = loop
        self.busy = {}
        self.answer_busy = set()
        self.ack = {}
        self.unlinked = set()

    def take_busy(self, unit):
        if self.busy.get(unit, 0) <= 0:
            return False
        self.busy[unit] -= 1
        self.answer_busy.add(unit)
        return True

    def written(self, unit, area, address, values):
        if unit in self.unlinked:
            return
        for link in self.links.get(str(unit), []):
            src_area, src_address = link["from"].split(":")
            if src_area != area or not address <= int(src_address) < address + len(values):
                continue
            value = values[int(src_address) - address]
            if "value" in link:
                if not value:
                    continue
                value = link["value"]
            dst_area, dst_address = link["to"].split(":")
            delay = link.get("delayMs", 0) / 1000
            self.loop.call_later(
                delay, self.context[unit].setValues, AREA_FC[dst_area], int(dst_address), [int(value)]
            )

    def manipulate(self, response):
        # pymodbus sends a skip_encoding response as raw bytes: b"" means nothing on the wire.
        if response.unit_id in self.muted:
            return b"", True
        if response.unit_id in self.answer_busy and response.function_code in WRITE_FCS:
            self.answer_busy.discard(response.unit_id)
            busy = ExceptionResponse(
                response.function_code, SERVER_DEVICE_BUSY,
                unit=response.unit_id, transaction=response.transaction_id,
            )
            return busy, False
        if self.ack.get(response.unit_id, 0) > 0 and response.function_code in WRITE_FCS:
            self.ack[response.unit_id] -= 1
            ack = ExceptionResponse(
                response.function_code, ACKNOWLEDGE,
                unit=response.unit_id, transaction=response.transaction_id,
            )
            return ack, False
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
            # A test setting the field is not a master's write: no links, no busy answer.
            blocks = [b for b in self.context[unit].store.values() if isinstance(b, WritableBlock)]
            for block in blocks:
                block.loading = True
            self.context[unit].setValues(AREA_FC[area], address, [value])
            for block in blocks:
                block.loading = False
        elif parts[0] == "busy":
            self.busy[int(parts[1])] = int(parts[2])
        elif parts[0] == "ack":
            self.ack[int(parts[1])] = int(parts[2])
        elif parts[0] == "unlink":
            self.unlinked.add(int(parts[1]))
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
    loop = asyncio.get_running_loop()
    field = Field(json.loads(args.links), loop)
    slaves = {u: build_unit(init.get(str(u)), field, u) for u in units}
    context = ModbusServerContext(slaves=slaves, single=False)
    field.context = context
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
