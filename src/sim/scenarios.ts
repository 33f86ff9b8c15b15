/**
 * What simulated devices "measure" over time, by point name. A scenario is a pure function of the
 * seconds since the simulator started, so a demo run is reproducible and a test can ask what a
 * device shows at t = 12 s. Points a scenario does not name read 0 / false.
 *
 * `alarm-cycle` follows a cycle (60 s unless the demo's `cycleS` says otherwise): quiet, then an
 * alarm condition from 8 s to 20 s, then quiet for the rest of the cycle, so the demo shows an
 * alarm and its restore within 30 s of starting.
 */
export type PointValues = Record<string, number | boolean>;
export type Scenario = (tSeconds: number, unit: number) => PointValues;

const ALARM_FROM_S = 8;
const ALARM_TO_S = 20;

/** A slow, smooth wobble so live values visibly move without random noise. */
function wobble(t: number, unit: number, amplitude: number, periodS = 23): number {
  return amplitude * Math.sin((2 * Math.PI * t) / periodS + unit);
}

function inAlarmWindow(t: number, cycleS: number): boolean {
  const phase = t % cycleS;
  return phase >= ALARM_FROM_S && phase < ALARM_TO_S;
}

/** Smooth ramp 0→1 over `rampS` seconds after the window opens, 1→0 after it closes. */
function alarmLevel(t: number, cycleS: number, rampS = 2): number {
  const phase = t % cycleS;
  if (phase < ALARM_FROM_S || phase >= ALARM_TO_S + rampS) return 0;
  if (phase < ALARM_FROM_S + rampS) return (phase - ALARM_FROM_S) / rampS;
  if (phase < ALARM_TO_S) return 1;
  return 1 - (phase - ALARM_TO_S) / rampS;
}

function smoke(t: number, unit: number, alarming: boolean, cycleS: number): PointValues {
  const level = alarming ? alarmLevel(t, cycleS) : 0;
  return {
    smoke_density: 0.02 + wobble(t, unit, 0.005) + level * 0.3,
    temperature: 22 + wobble(t, unit, 0.8, 41) + level * 6,
    chamber_contamination: 12 + unit,
    fire_alarm: alarming && inAlarmWindow(t, cycleS) && level > 0.5,
  };
}

function residualCurrent(t: number, unit: number, alarming: boolean, cycleS: number): PointValues {
  const level = alarming ? alarmLevel(t, cycleS, 1) : 0;
  const values: PointValues = {
    residual_current: Math.round(45 + wobble(t, unit, 15) + level * 400),
    load_current: 12.5 + wobble(t, unit, 3, 31),
    device_alarm_setting: 300,
    residual_current_alarm: level > 0.9,
  };
  for (let ch = 1; ch <= 4; ch++) values[`cable_temperature_${ch}`] = 28 + ch + wobble(t, unit + ch, 1.5, 37);
  return values;
}

/**
 * A smart leakage breaker on a quiet circuit. Its contact is not scripted: it moves when a master
 * trips, closes or tests it (breaker-mechanics.ts).
 */
function leakageBreaker(t: number, unit: number): PointValues {
  // A house circuit at a quiet hour: the leakage steady at a few mA, the load drifting slowly.
  return {
    residual_current: Math.round(4 + wobble(t, unit, 1, 97)),
    voltage: 229 + wobble(t, unit, 2, 53),
    load_current: 6.5 + wobble(t, unit, 0.8, 181),
    terminal_temperature: 31 + wobble(t, unit, 0.6, 307),
  };
}

/** Scenarios by profile kind; a profile of another kind reads all zeros. */
export function scenarioFor(kind: string, name: 'steady' | 'alarm-cycle', cycleS = 60): Scenario {
  const alarming = name === 'alarm-cycle';
  switch (kind) {
    case 'smoke':
      return (t, unit) => smoke(t, unit, alarming, cycleS);
    case 'residual-current':
      return (t, unit) => residualCurrent(t, unit, alarming, cycleS);
    case 'leakage-breaker':
      return (t, unit) => leakageBreaker(t, unit);
    default:
      return () => ({});
  }
}
