/**
 * The V8 flags the gateway runs with in production (systemd/hearth.service) and in the demo
 * (`npm start`): a small young generation, size-optimized code and no JIT compiler, because on a
 * Pi memory matters more than throughput the gateway never needs. `--jitless` runs JavaScript in
 * the interpreter only: no optimizing compiler threads, no generated machine code, no writable
 * executable memory. Measured with 50 units at 1 Hz (docs/footprint.md): steady RSS 83.5 → 64.5 MB,
 * CPU 2.2 → 2.1 % of one core, readings p50 0.9 → 1.1 ms; start-up 842 → 872 ms. It also turns off
 * WebAssembly, which the gateway does not use (nor does it use fetch(), which needs it).
 * Benchmarks that spawn the gateway (and the footprint bench's floor) use the same.
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size', '--jitless'];
