/**
 * hearth's layers, written down once. Each layer may import from the layers listed before it and
 * from itself, never from a layer after it; dependency-cruiser checks every import of src/ and
 * drivers/ against this in `npm test` (test/architecture/layers.test.ts), and the table in
 * docs/architecture.md is generated from the rules below (scripts/gen-architecture.ts).
 */
const LAYERS = [
  {
    name: 'foundation',
    description: 'Data shapes and small tools every part uses: model (readings, events, the event envelope), clock and timers, back-off, logging, the typed event bus, gateway faults, atomic small-state files, Ed25519 signed envelopes.',
    path: '^src/(model|clock|retry|log|events|faults|storage|signing)/|^src/(errors|version)[.]ts$',
  },
  {
    name: 'config',
    description: 'The configuration: one schema per section, path-named errors, and the device-profile format (drivers/*/profile*).',
    path: '^src/config/|^drivers/[^/]+/profile[^/]*[.]ts$',
  },
  {
    name: 'hardware',
    description: "Field buses (Modbus RTU/TCP, links that reconnect, GPIO backends) and the gateway's own outputs (sirens, relays).",
    path: '^src/bus/|^src/outputs/',
  },
  {
    name: 'decoders',
    description: 'Per kind of device, in drivers/<kind>/: turning bytes and registers into raw values (profiles as data).',
    path: '^drivers/',
    not: '^drivers/[^/]+/profile[^/]*[.]ts$|^drivers/[^/]+/source[.]ts$',
  },
  {
    name: 'rules',
    description: 'Deciding alarms from readings (thresholds, hysteresis, on-delay, bits, offline), and report by exception.',
    path: '^src/(rules|reporting)/',
  },
  {
    name: 'devices',
    description: 'The runtimes that turn field data into readings and events: polled devices and their scheduler, dry contacts, tag readers; the Source shape.',
    path: '^src/devices/',
  },
  { name: 'sources', description: 'Each kind of device as a Source, registered from its drivers/ folder.', path: '^drivers/[^/]+/source[.]ts$' },
  {
    name: 'alarms',
    description: 'The alarm desk: conditions, latching, acknowledgement, silence, local actions, the receipt watch, the fault indicator.',
    path: '^src/alarms/',
  },
  { name: 'outbox', description: 'Durable store-and-forward: SQLite outbox, storage faults held in memory, integrity checks, salvage.', path: '^src/outbox/' },
  {
    name: 'uplink',
    description: 'The connections to the destinations: the MQTT session to the platform (drain, priorities, receipts, reconnect, one codec per platform) and the GB/T 26875.3 session to fire monitoring centres.',
    path: '^src/uplink/',
  },
  { name: 'core', description: 'The alarm path assembled: rules, sink, alarm desk first, outbox, observers on the gateway bus.', path: '^src/core/' },
  {
    name: 'services',
    description: 'What people and platforms use: the console and API, remote management, the systemd service, the demo stand-ins.',
    path: '^src/(api|remote|service|sim)/',
  },
  { name: 'composition', description: 'The composition root: builds every part from the config and starts the components in order.', path: '^src/daemon[.]ts$|^src/daemon/' },
  { name: 'cli', description: 'The hearth command line (run, check, read, scan, token, outbox).', path: '^src/cli/|^src/main[.]ts$' },
];

const union = (layers) => layers.map((l) => `(${l.path})`).join('|');
const layerRules = LAYERS.map((layer, i) => ({
  name: `layer-${layer.name}`,
  comment: layer.description,
  severity: 'error',
  from: { path: layer.path, ...(layer.not ? { pathNot: layer.not } : {}) },
  // Everything in a later layer; what an earlier layer (or this one) owns inside a later layer's
  // folder (drivers/*/profile* belongs to config) stays allowed.
  to: i + 1 < LAYERS.length ? { path: union(LAYERS.slice(i + 1)), pathNot: union(LAYERS.slice(0, i + 1)) } : { path: '^$' },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'remote-not-through-the-console',
      comment: 'Remote commands act on the gateway\'s parts directly (desk, outputs, devices), not through the console: only its commissioning report is shared.',
      severity: 'error',
      from: { path: '^src/remote/' },
      to: { path: '^src/api/', pathNot: '^src/api/(commissioning-report|gateway-facade)[.]ts$' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles.',
      severity: 'error',
      from: { path: '^(src|drivers)/' },
      to: { circular: true },
    },
    {
      name: 'no-tests-in-the-product',
      comment: 'The product never imports test code.',
      severity: 'error',
      from: { path: '^(src|drivers)/', pathNot: '[.]test[.]ts$' },
      to: { path: '^test/|[.]test[.]ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '[.]test[.]ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
