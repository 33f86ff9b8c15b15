import type { TagListRef } from '../../config/io-types.js';

/**
 * Allow and deny lists by tag id or by named group (e.g. `ebikes`: the registered e-bike tags of
 * the building). Ids compare case-insensitively: readers and people write hex in either case.
 */
export type AccessVerdict = { kind: 'ok'; groups: string[] } | { kind: 'denied'; groups: string[]; via: string } | { kind: 'not-allowed'; groups: string[] };

export class TagLists {
  private readonly groupsOf = new Map<string, string[]>();

  constructor(groups: Readonly<Record<string, readonly string[]>>) {
    for (const [group, ids] of Object.entries(groups)) {
      for (const id of ids) {
        const key = id.toUpperCase();
        this.groupsOf.set(key, [...(this.groupsOf.get(key) ?? []), group]);
      }
    }
  }

  groups(tag: string): string[] {
    return this.groupsOf.get(tag.toUpperCase()) ?? [];
  }

  /** Deny wins over allow; an allow list, when given, admits only what is on it. */
  verdict(tag: string, lists: { deny?: TagListRef; allow?: TagListRef }): AccessVerdict {
    const groups = this.groups(tag);
    const denyVia = onList(tag, groups, lists.deny);
    if (denyVia !== undefined) return { kind: 'denied', groups, via: denyVia };
    if (lists.allow !== undefined && onList(tag, groups, lists.allow) === undefined) return { kind: 'not-allowed', groups };
    return { kind: 'ok', groups };
  }
}

/** How the tag is on the list (`tag` or `group <name>`), or undefined. */
function onList(tag: string, groups: readonly string[], list: TagListRef | undefined): string | undefined {
  if (list === undefined) return undefined;
  const id = tag.toUpperCase();
  if (list.tags.some((t) => t.toUpperCase() === id)) return 'tag';
  const g = groups.find((x) => list.groups.includes(x));
  return g === undefined ? undefined : `group ${g}`;
}
