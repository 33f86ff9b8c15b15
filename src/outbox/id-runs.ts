import type { Priority } from './types.js';

/** A run of consecutive record ids deleted with one range delete. */
export interface IdRun {
  from: number;
  to: number;
  /** Undefined when not known (delivered without a lease): each row's own priority is read back. */
  priority: Priority | undefined;
}

/** Sorted ids grouped into runs of consecutive ids with the same known priority. */
export function consecutiveRuns(ids: readonly number[], priorityOf: (id: number) => Priority | undefined): IdRun[] {
  const sorted = [...ids].sort((a, b) => a - b);
  const runs: IdRun[] = [];
  let run: IdRun | undefined;
  for (const id of sorted) {
    const priority = priorityOf(id);
    if (run !== undefined && id === run.to + 1 && priority === run.priority && priority !== undefined) {
      run.to = id;
      continue;
    }
    if (run !== undefined && id === run.to) continue; // duplicate id
    run = { from: id, to: id, priority };
    runs.push(run);
  }
  return runs;
}
