import t from 'tap';
import { decimalsFor, durationText, floorText, humanize, locationText, numberText, pick } from '../../src/api/people-text.js';
import { deviceCatalogue } from '../../src/api/device-catalogue.js';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { repoPath } from '../helpers/repo.js';

t.test('floors as people say them, never with a suffix glued onto a word', async (t) => {
  const cases: [string, string, string][] = [
    ['1', '1层', 'Floor 1'],
    ['12', '12层', 'Floor 12'],
    ['0', '首层', 'Ground floor'],
    ['-1', '地下一层', 'B1'],
    ['B2', '地下二层', 'B2'],
    ['basement', '地下室', 'Basement'],
    ['attic', '阁楼', 'Attic'],
    ['3F', '3层', 'Floor 3'],
    ['Zwischengeschoss', 'Zwischengeschoss', 'Zwischengeschoss'],
  ];
  for (const [floor, zh, en] of cases) {
    t.equal(floorText(floor, 'zh-CN'), zh, `${floor} zh-CN`);
    t.equal(floorText(floor, 'en'), en, `${floor} en`);
  }
  t.equal(locationText({ building: 'Hepingli 3', floor: 'basement', room: 'boiler room' }, 'zh-CN'), 'Hepingli 3 / 地下室 / boiler room');
});

t.test('durations in words, no "0 h"', async (t) => {
  t.equal(durationText(3 * 60_000, 'zh-CN'), '3 分钟');
  t.equal(durationText(3 * 60_000, 'en'), '3 min');
  t.equal(durationText(45_000, 'en'), '45 s');
  t.equal(durationText(2 * 3_600_000 + 5 * 60_000, 'en'), '2 h 5 min');
  t.equal(durationText(3_600_000, 'zh-CN'), '1 小时');
  t.equal(durationText(3 * 86_400_000 + 3_600_000, 'en'), '3 d 1 h');
});

t.test('numbers to the resolution of the point', async (t) => {
  t.equal(decimalsFor({ scale: 0.001 }), 3);
  t.equal(decimalsFor({ scale: 0.1 }), 1);
  t.equal(decimalsFor({ type: 'float32' }), 2);
  t.equal(decimalsFor({ type: 'uint16' }), 0);
  t.equal(decimalsFor({ type: 'float32', decimals: 1 }), 1);
  t.equal(numberText(9.90955352783, 1), '9.9');
  t.equal(numberText(0.15, 3), '0.150');
});

t.test('labels: the language asked for, the other one, then a humanized name', async (t) => {
  t.equal(pick({ 'zh-CN': '烟雾浓度', en: 'Smoke density' }, 'en', 'smoke_density'), 'Smoke density');
  t.equal(pick({ 'zh-CN': '烟雾浓度' }, 'en', 'smoke_density'), '烟雾浓度');
  t.equal(pick(undefined, 'zh-CN', 'smoke_density'), 'Smoke density');
  t.equal(humanize('cable_temperature_1'), 'Cable temperature 1');
});

t.test('the demo config: every device of every kind, every point labelled in both languages, booleans with state names', async (t) => {
  const { config, profiles } = await loadConfigWithProfiles(repoPath('config/demo.yaml'));
  const cat = deviceCatalogue(config, profiles);
  t.same([...new Set(cat.map((d) => d.kind))].sort(), ['contact', 'modbus', 'output', 'tag-reader']);
  t.equal(cat.length, config.devices.length + (config.gpio?.inputs.length ?? 0) + (config.tags?.readers.length ?? 0) + (config.gpio?.outputs.length ?? 0));
  for (const d of cat) {
    for (const p of d.points) {
      t.ok(p.labels['zh-CN'] && p.labels.en, `${d.id}.${p.name} labelled in both languages`);
      if (p.type === 'boolean') t.ok(p.states?.true?.['zh-CN'] && p.states.false?.en, `${d.id}.${p.name} names its states`);
      if (p.type === 'number') t.type(p.decimals, 'number', `${d.id}.${p.name} has a resolution`);
    }
  }
  const smoke = cat.find((d) => d.points.some((p) => p.name === 'smoke_density'))!;
  t.same(smoke.points.find((p) => p.name === 'smoke_density')!.labels, { 'zh-CN': '烟雾浓度', en: 'Smoke density' });
  t.equal(smoke.points.find((p) => p.name === 'smoke_density')!.decimals, 3);
});
