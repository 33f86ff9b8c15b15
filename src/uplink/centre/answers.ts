import { analogueFor, maxObjects, type AnalogueValue, type CentreUnit, type ComponentState, type Gbt26875Site, type UploadUnit } from '../gbt26875/index.js';
import type { OperationsLog } from './operations-log.js';
import { componentStateOf, deviceAt, deviceStateOf, systemStateOf } from './states.js';
import type { CentreView } from './view.js';

/** What answering the centre's reads needs. */
export interface AnswerContext {
  site: Gbt26875Site;
  view: CentreView;
  now: () => number;
  /** hearth's version, e.g. 1.4.2 (types 5 and 25 carry major and minor). */
  version: string;
  operations: OperationsLog;
}

/** 1.4.2 → {major 1, minor 4}; what does not parse is 0.0. */
export function softwareVersion(version: string): { major: number; minor: number } {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return { major: Math.min(255, Number(m?.[1] ?? 0)), minor: Math.min(255, Number(m?.[2] ?? 0)) };
}

/**
 * The answer to one of the centre's reads (§8.3.2, 61–68 and 81–88): the upload of the same
 * information, sent as a reply. Undefined when there is nothing to answer with (a component or
 * system this site does not have, or not a read): the session then denies the request.
 */
export function answerRead(unit: CentreUnit, ctx: AnswerContext): UploadUnit | undefined {
  const { site, view } = ctx;
  const time = new Date(ctx.now());
  const active = view.active();
  switch (unit.type) {
    case 61:
      return { type: 1, states: unit.systems.map((system) => ({ system, status: systemStateOf(system, site, active), time })) };
    case 62: {
      const components: ComponentState[] = [];
      for (const ref of unit.components) {
        const id = deviceAt(site, ref.system, ref.address);
        if (id === undefined) continue;
        const c = site.components.get(id)!;
        components.push({ ...c, status: componentStateOf(id, active), time });
      }
      return components.length === 0 ? undefined : { type: 2, components };
    }
    case 63: {
      const values: AnalogueValue[] = [];
      for (const ref of unit.components) {
        const id = deviceAt(site, ref.system, ref.address);
        if (id === undefined) continue;
        const c = site.components.get(id)!;
        for (const r of view.latest(id)) {
          const a = typeof r.value === 'number' ? analogueFor(r.value, r.unit) : undefined;
          if (a !== undefined) values.push({ system: c.system, address: c.address, componentType: c.componentType, ...a, time: new Date(r.ts) });
        }
      }
      return values.length === 0 ? undefined : { type: 3, values: values.slice(0, maxObjects(3)) };
    }
    case 64: {
      const operations = ctx.operations.systemOperations(unit.system, Math.min(unit.query.count, maxObjects(4)), unit.query.from);
      return operations.length === 0 ? undefined : { type: 4, operations };
    }
    case 65:
      return { type: 5, system: unit.system, version: softwareVersion(ctx.version) };
    case 66:
      return { type: 6, systems: unit.systems.map((system) => ({ system, description: describeSystem(site, system) })) };
    case 67: {
      const components = unit.components.flatMap((ref) => {
        const id = deviceAt(site, ref.system, ref.address);
        if (id === undefined) return [];
        const c = site.components.get(id)!;
        return [{ system: c.system, address: c.address, componentType: c.componentType, description: c.description }];
      });
      return components.length === 0 ? undefined : { type: 7, components };
    }
    case 68:
      return { type: 8, system: unit.system, time };
    case 81:
      return { type: 21, state: { status: deviceStateOf(site, active), time } };
    case 84: {
      const operations = ctx.operations.deviceOperations(Math.min(unit.query.count, maxObjects(24)), unit.query.from);
      return operations.length === 0 ? undefined : { type: 24, operations };
    }
    case 85:
      return { type: 25, version: softwareVersion(ctx.version) };
    case 86:
      return { type: 26, description: `hearth ${ctx.version} ${site.gatewayId}: ${site.components.size} components` };
    case 88:
      return { type: 28, time };
    default:
      return undefined;
  }
}

function describeSystem(site: Gbt26875Site, system: { type: number; address: number }): string {
  let n = 0;
  for (const c of site.components.values()) if (c.system.type === system.type && c.system.address === system.address) n++;
  return `hearth ${site.gatewayId}: ${n} components`;
}
