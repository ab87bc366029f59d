/**
 * Ordering modules by their dependencies as kmod 30's depmod does (`tools/depmod.c:
 * depmod_calculate_dependencies`, `depmod_report_cycles`, `mod_get_all_sorted_dependencies`).
 *
 * The topological sort takes modules nobody depends on first, from a stack (so the last such module
 * found is taken first); each module's position in it (`dep_sort_idx`) orders the dependencies
 * depmod writes. A module in a dependency cycle never becomes free: depmod then reports the cycles
 * and writes nothing.
 */
import type { DepmodLog } from './log.js';

/** The dependency graph: `deps[i]` are the modules module `i` needs directly, in the order found. */
export interface DependencyGraph {
  readonly names: readonly string[];
  readonly deps: readonly (readonly number[])[];
}

/**
 * The position of each module in kmod's topological order, or undefined when there is a cycle
 * (reported through `log` as kmod reports it).
 */
export function topologicalOrder(graph: DependencyGraph, log: DepmodLog): Int32Array | undefined {
  const n = graph.names.length;
  const users = new Int32Array(n);
  for (const deps of graph.deps) for (const d of deps) users[d]!++;
  const order = new Int32Array(n).fill(0x7fffffff);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) if (users[i] === 0) roots.push(i);
  let sorted = 0;
  while (roots.length > 0) {
    const src = roots.pop()!;
    order[src] = sorted++;
    for (const dst of graph.deps[src]!) {
      if (--users[dst]! === 0) roots.push(dst);
    }
  }
  if (sorted < n) {
    reportCycles(graph, users, log);
    return undefined;
  }
  return order;
}

/**
 * `depmod_report_cycles`: a depth-first walk from each module still holding users, printing each
 * path that comes back to its start. As in kmod, `visited` is never reset between starts.
 */
function reportCycles(graph: DependencyGraph, users: Int32Array, log: DepmodLog): void {
  const roots: number[] = [];
  for (let i = 0; i < users.length; i++) if (users[i]! > 0) roots.push(i);
  // kmod's stack has room for this many vertices (and asserts it); past it, kmod aborts.
  const stackSize = roots.length;
  const visited = new Uint8Array(users.length);
  const inLoop = new Set<string>();
  const removeRoot = (m: number) => {
    const at = roots.indexOf(m);
    if (at >= 0) roots.splice(at, 1);
  };
  interface Vertex {
    readonly parent: Vertex | undefined;
    readonly mod: number;
  }
  outer: while (roots.length > 0) {
    const root = roots.shift()!;
    const stack: Vertex[] = [{ parent: undefined, mod: root }];
    while (stack.length > 0) {
      const vertex = stack.pop()!;
      const m = vertex.mod;
      if (visited[m] && m === root) {
        const path: number[] = [];
        for (let v = vertex.parent; v !== undefined; v = v.parent) {
          path.push(v.mod);
          inLoop.add(graph.names[v.mod]!);
        }
        path.reverse();
        for (const p of path) removeRoot(p);
        const names = [...path.map((p) => graph.names[p]!), graph.names[m]!];
        log('error', `Cycle detected: ${names.join(' -> ')}\n`);
        continue;
      }
      visited[m] = 1;
      const deps = graph.deps[m]!;
      if (deps.length === 0) {
        removeRoot(m);
        continue;
      }
      for (const d of deps) {
        if (stack.length >= stackSize) break outer;
        stack.push({ parent: vertex, mod: d });
      }
    }
  }
  log('error', `Found ${inLoop.size} modules in dependency cycles!\n`);
}

/**
 * `mod_get_all_sorted_dependencies`: every module `mod` needs, directly or not, each once (in
 * depth-first order of the sorted direct dependencies, then sorted by topological position).
 * `deps` must already be sorted by `order` (`depmod_sort_dependencies`).
 */
export function allDependencies(
  mod: number,
  deps: readonly (readonly number[])[],
  order: Int32Array,
): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const fill = (m: number) => {
    for (const d of deps[m]!) {
      if (seen.has(d)) continue;
      seen.add(d);
      out.push(d);
      fill(d);
    }
  };
  fill(mod);
  out.sort((a, b) => order[a]! - order[b]!);
  return out;
}
