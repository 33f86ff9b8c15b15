import { isMap, parseDocument } from 'yaml';
import { ConfigError, formatIssue } from '../config/errors.js';
import { parseConfigWithProfiles } from '../config/load.js';

/** A remote configuration change: a whole file, one top-level section, or one point's threshold. */
export type ConfigChange =
  | { kind: 'whole'; text: string }
  | { kind: 'section'; section: string; value: unknown }
  | { kind: 'threshold'; deviceId: string; point: string; threshold: Record<string, unknown> };

export type PreparedChange = { ok: true; text: string } | { ok: false; errors: string[] };

/** Sections a remote change may not replace: the gateway's identity and where it keeps state. */
const PROTECTED_SECTIONS = new Set(['gateway']);

/**
 * Builds the new config text from the current one and validates it exactly as the file would be
 * at startup (schema, defaults, semantic checks, profiles), as if it were at `configPath` so
 * relative paths resolve the same. Section and threshold edits keep the file's comments.
 */
export function prepareChange(currentText: string, change: ConfigChange, configPath: string): PreparedChange {
  let text: string;
  if (change.kind === 'whole') {
    text = change.text;
  } else {
    const doc = parseDocument(currentText);
    if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map((e) => `(current file): ${e.message}`) };
    if (change.kind === 'section') {
      if (PROTECTED_SECTIONS.has(change.section)) return { ok: false, errors: [`${change.section}: cannot be changed remotely`] };
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
  try {
    parseConfigWithProfiles(text, configPath);
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, errors: err.issues.map(formatIssue) };
    throw err;
  }
  if (change.kind === 'whole') {
    // The gateway's identity is not changed remotely: a typo would move it to another platform identity.
    const before = gatewayId(currentText);
    const after = gatewayId(text);
    if (before !== undefined && after !== before) return { ok: false, errors: [`gateway.id: cannot be changed remotely (is '${before}', got '${String(after)}')`] };
  }
  return { ok: true, text };
}

function gatewayId(text: string): unknown {
  return parseDocument(text).getIn(['gateway', 'id']);
}

function isSeqLike(v: unknown): v is { items: unknown[] } {
  return typeof v === 'object' && v !== null && Array.isArray((v as { items?: unknown }).items);
}

function toPlain(node: unknown): Record<string, unknown> {
  if (isMap(node)) return node.toJSON() as Record<string, unknown>;
  return {};
}
