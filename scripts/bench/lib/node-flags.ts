/**
 * The V8 flags the gateway runs with in production (systemd/hearth.service) and in the demo
 * (`npm start`): a small young generation and size-optimized code, because on a Pi memory matters
 * more than the last few percent of throughput. Benchmarks that spawn the gateway use the same.
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size'];
