import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayFacade } from './gateway-facade.js';
import { unhandledRejections } from '../service/process-faults.js';
import { registerDestinationMetrics } from './destination-metrics.js';

/**
 * The gateway's Prometheus metrics, on a registry of its own (not prom-client's global one, so two
 * gateways in one test process do not collide). Poll and error counts are read from the device
 * counters at scrape time; events are counted as they pass the pipeline sink. Event-loop lag comes
 * with the default process metrics (nodejs_eventloop_lag_seconds and its percentiles).
 */
export interface GatewayMetrics {
  registry: Registry;
  stop(): void;
}

export function createMetrics(gateway: GatewayFacade): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

  // Counters whose truth lives in the device runtime: set from it at each scrape.
  new Counter({
    name: 'hearth_device_polls_total',
    help: 'Polls per device',
    labelNames: ['device', 'result'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of gateway.devices()) {
        this.inc({ device: d.id, result: 'ok' }, d.counters.ok);
        this.inc({ device: d.id, result: 'failed' }, d.counters.failed);
      }
    },
  });
  new Counter({
    name: 'hearth_device_errors_total',
    help: 'Failed polls per device by error kind (MODBUS_TIMEOUT, MODBUS_CRC, MODBUS_EXCEPTION, ...)',
    labelNames: ['device', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of gateway.devices()) for (const [kind, n] of Object.entries(d.counters.errorsByCode)) this.inc({ device: d.id, kind }, n);
    },
  });
  new Gauge({
    name: 'hearth_device_online',
    help: '1 when the device answers, 0 when offline or not yet seen',
    labelNames: ['device'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of gateway.devices()) this.set({ device: d.id }, d.state === 'online' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'hearth_outbox_depth',
    help: 'Records waiting for the platform, by priority',
    labelNames: ['priority'],
    registers: [registry],
    collect() {
      const o = gateway.status().outbox;
      if (o === null) return;
      for (const [priority, n] of Object.entries(o.depth)) this.set({ priority }, n);
    },
  });
  new Gauge({
    name: 'hearth_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest record the platform has not confirmed (0 when empty)',
    registers: [registry],
    collect() {
      const age = gateway.status().outbox?.oldestUnsentAgeMs;
      this.set(age === null || age === undefined ? 0 : age / 1000);
    },
  });
  new Counter({
    name: 'hearth_remote_commands_total',
    help: 'Commands from the platform at the gate: admitted, refused (rate_limited, queue_full); unanswered counts refusals past the reply budget',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      const c = gateway.remoteCommands?.();
      if (c === undefined) return;
      this.inc({ result: 'admitted' }, c.admitted);
      this.inc({ result: 'rate_limited' }, c.rateLimited);
      this.inc({ result: 'queue_full' }, c.queueFull);
      this.inc({ result: 'unanswered' }, c.unanswered);
    },
  });
  new Gauge({
    name: 'hearth_uplink_connected',
    help: '1 while connected to the platform broker',
    registers: [registry],
    collect() {
      this.set(gateway.status().uplink?.connected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'hearth_uplink_fire_alarms_refused',
    help: 'Fire alarms the platform broker refused and has not accepted since (retried every few seconds)',
    registers: [registry],
    collect() {
      this.set(gateway.status().uplink?.fireAlarmsRefused ?? 0);
    },
  });
  new Gauge({
    name: 'hearth_active_alarms',
    help: 'Alarms, faults and offline conditions not yet restored',
    registers: [registry],
    collect() {
      this.set(gateway.status().activeAlarms);
    },
  });
  new Gauge({
    name: 'hearth_fire_alarms_active',
    help: 'Fire alarms whose detector is still in alarm',
    registers: [registry],
    collect() {
      this.set(gateway.status().alarms.fire);
    },
  });
  new Gauge({
    name: 'hearth_alarm_receipt_fault',
    help: '1 while a fire alarm is not confirmed by the receiving centre within its time (EN 54-21)',
    registers: [registry],
    collect() {
      this.set(gateway.status().receipt.fault ? 1 : 0);
    },
  });
  new Gauge({
    name: 'hearth_storage_fault',
    help: '1 while the outbox file cannot be written (records are held in memory and still sent)',
    registers: [registry],
    collect() {
      this.set(gateway.status().storage.ok ? 0 : 1);
    },
  });
  new Gauge({
    name: 'hearth_storage_held_records',
    help: 'Records held in memory because the outbox file cannot be written',
    registers: [registry],
    collect() {
      this.set(gateway.status().storage.held);
    },
  });
  new Gauge({
    name: 'hearth_gateway_faults',
    help: "Faults of the gateway's own parts now present, by point (storage, alarm-receipt, output:<name>, ...)",
    labelNames: ['point'],
    registers: [registry],
    collect() {
      this.reset();
      for (const f of gateway.status().faults) this.inc({ point: f.point });
    },
  });
  // A promise nobody caught is a bug that no longer ends the process (src/service/process-faults.ts): count it.
  new Counter({
    name: 'hearth_unhandled_rejections_total',
    help: 'Promise rejections nobody handled (bugs; logged with their stack, the gateway ran on)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(unhandledRejections());
    },
  });
  registerDestinationMetrics(registry, gateway);
  const events = new Counter({ name: 'hearth_events_total', help: 'Events raised, by kind', labelNames: ['kind', 'severity'], registers: [registry] });
  const unsubscribe = gateway.subscribe((m) => {
    if (m.type === 'event') events.inc({ kind: m.event.kind, severity: m.event.severity });
  });
  return { registry, stop: unsubscribe };
}
