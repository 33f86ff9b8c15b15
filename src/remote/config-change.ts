import { isMap, parseDocument } from 'yaml';
import { ConfigError, formatIssue } from '../config/errors.js';
import { parseConfig, parseConfigWithProfiles } from '../config/load.js';
import { NEVER_REMOTE_SECTIONS, ownedChanges } from './locally-owned.js';

/** A remote configuration change: a whole file, one top-level section, or one point's threshold. */
export type ConfigChange =
  | { kind: 'whole'; text: string }
  | { kind: 'section'; section: string; value: unknown }
  | { kind: 'threshold'; deviceId: string; point: string; threshold: Record<string, unknown> };

export type PreparedChange = { ok: true; text: string } | { ok: false; errors: string[] };

/**
 * Builds the new config text from the current one and validates it exactly as the file would be
 * at startup (schema, defaults, semantic checks, profiles, and the places it writes on this
 * machine), as if it were at `configPath` so relative paths resolve the same; then refused if it
 * touches what the local config owns (src/remote/locally-owned.ts). Section and threshold edits
 * keep the file's comments.
 */
export function prepareChange(currentText: string, change: ConfigChange, configPath: string, delegated: readonly string[] = []): PreparedChange {
  let text: string;
  if (change.kind === 'whole') {
    text = change.text;
  } else {
    const doc = parseDocument(currentText);
    if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map((e) => `(current file): ${e.message}`) };
    if (change.kind === 'section') {
      if (NEVER_REMOTE_SECTIONS.has(change.section)) return { ok: false, errors: [`${change.section}: owned by the local config; cannot be changed remotely`] };
      doc.set(change.section, doc.createNode(change.value));
    } else {
      const devices = doc.get('devices');
      const items = isSeqLike(devices) ? devices.items : [];
      const index = items.findIndex((d) => isMap(d) && d.get('id') === change.deviceId);
      if (index < 0) return { ok: false, errors: [`devices: no device with id '${change.deviceId}'`] };
      const merged = { ...toPlain(doc.getIn(['devices', index, 'thresholds', change.point])), ...change.threshold };
      doc.setIn(['devices', index, 'thresholds', change.point], doc.createNode(merged));
    }
    text = doc.toString();
  }
  let after;
  try {
    after = parseConfigWithProfiles(text, configPath, { forThisMachine: true }).config;
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, errors: err.issues.map(formatIssue) };
    throw err;
  }
  let before;
  try {
    before = parseConfig(currentText, configPath, { checkFiles: false });
  } catch (err) {
    // The running file no longer parses (edited by hand since start): nothing to compare with, so
    // only a change that keeps every locally owned part as the file has it could be judged. Refuse.
    return { ok: false, errors: [`(current file): ${(err as Error).message}; fix it locally first`] };
  }
  const owned = ownedChanges(before, after, delegated);
  if (owned.length > 0) return { ok: false, errors: owned };
  return { ok: true, text };
}

function isSeqLike(v: unknown): v is { items: unknown[] } {
  return typeof v === 'object' && v !== null && Array.isArray((v as { items?: unknown }).items);
}

function toPlain(node: unknown): Record<string, unknown> {
  if (isMap(node)) return node.toJSON() as Record<string, unknown>;
  return {};
}
