// Node tasks of one tree shared by the fitting thread and a helper (src/ml/hist-team.ts, one tree per
// iteration): the fitting thread posts records (src/ml/hist-expand.ts) to a queue on shared memory,
// the helper takes them in order, and either thread may run a posted record that nobody has taken yet.
// Each record says what it needs, so a task is whole: a thread works alone for a whole node (or a
// feature part of the one node there is), with one atomic exchange to take it and one store to say it
// is done, not a handoff inside the node. Which thread ran a record does not change its results.
//
// A record's state word holds the call (the tree) it was posted in above its state, so a helper still
// looping over an earlier tree's queue cannot take a record of the next one.

import { RECORD_WORDS, nodeRecord, type NodeRecord } from './hist-expand.js';

/** Records per tree; a tree that needs more runs the rest on the fitting thread. */
export const NODE_SLOTS = 256;
const QUEUED = 1;
const TAKEN = 2;
const DONE = 3;
/** The queue's length word, on a cache line of its own after the state words. */
const TAIL = NODE_SLOTS + 16;
const WORDS = TAIL + 16;

function tag(seq: number, s: number): number {
  return ((seq & 0x0fffffff) << 2) | s;
}

/** The shared buffers of a node queue (posted once to each helper). */
export interface NodeQueueBuffers {
  recs: Float64Array;
  state: Int32Array;
}

/**
 * A queue of node records on shared memory.
 * @example const q = new NodeQueue(); const k = q.post(seq, (rec) => fill(rec)); if (q.take(seq, k)) run(q.record(k));
 */
export class NodeQueue {
  readonly recs: Float64Array;
  readonly state: Int32Array;
  private readonly views: NodeRecord[];

  constructor(buffers?: NodeQueueBuffers) {
    this.recs = buffers?.recs ?? new Float64Array(new SharedArrayBuffer(8 * NODE_SLOTS * RECORD_WORDS));
    this.state = buffers?.state ?? new Int32Array(new SharedArrayBuffer(4 * WORDS));
    this.views = Array.from({ length: NODE_SLOTS }, (_, k) => nodeRecord(this.recs.subarray(k * RECORD_WORDS, (k + 1) * RECORD_WORDS)));
  }

  buffers(): NodeQueueBuffers {
    return { recs: this.recs, state: this.state };
  }

  record(k: number): NodeRecord {
    return this.views[k]!;
  }

  /** Empties the queue for call `seq` (before the helpers are told of the call). */
  reset(): void {
    Atomics.store(this.state, TAIL, 0);
  }

  /** Records posted so far in this call. */
  length(): number {
    return Atomics.load(this.state, TAIL);
  }

  /** Fills the next record and queues it; returns its slot, or -1 when the queue is full. */
  post(seq: number, fill: (rec: Float64Array) => void): number {
    const k = Atomics.load(this.state, TAIL);
    if (k >= NODE_SLOTS) return -1;
    fill(this.views[k]!.rec);
    Atomics.store(this.state, k, tag(seq, QUEUED));
    Atomics.store(this.state, TAIL, k + 1);
    return k;
  }

  /** Takes record k if nobody has: true when the caller must now run it (and then call finish). */
  take(seq: number, k: number): boolean {
    return Atomics.compareExchange(this.state, k, tag(seq, QUEUED), tag(seq, TAKEN)) === tag(seq, QUEUED);
  }

  finish(seq: number, k: number): void {
    Atomics.store(this.state, k, tag(seq, DONE));
  }

  done(seq: number, k: number): boolean {
    return Atomics.load(this.state, k) === tag(seq, DONE);
  }

  /** True while record k waits in the queue, taken by nobody. */
  waiting(seq: number, k: number): boolean {
    return Atomics.load(this.state, k) === tag(seq, QUEUED);
  }
}

/**
 * The helper's side of call `seq`: takes the queue's records in order and runs those nobody has taken,
 * until `current()` says the call is over.
 */
export function serveNodes(q: NodeQueue, seq: number, current: () => boolean, run: (r: NodeRecord) => void): void {
  let k = 0;
  while (current()) {
    if (k < q.length()) {
      if (q.take(seq, k)) {
        run(q.record(k));
        q.finish(seq, k);
      }
      k++;
    }
  }
}

/**
 * Whether the next tree grows with the helper: the helper only pays while both threads have a core
 * (a preempted helper holds up the node the fitting thread needs next, and part steps wait on it), so
 * the grower times its trees both ways and keeps the faster, trying the other way every PROBE-th
 * tree. The trees are the same either way.
 * @example const pace = new HelperPace(); const use = pace.next(); const t0 = performance.now(); grow(use); pace.record(use, performance.now() - t0);
 */
export class HelperPace {
  /** Mean time of recent trees alone [0] and with the helper [1] (NaN: none yet). */
  private readonly ms = [NaN, NaN];
  private count = 0;

  /** always: every tree with the helper (tests of the shared growth). */
  constructor(private readonly always = false) {}

  next(): boolean {
    if (this.always) return true;
    const [alone, helped] = this.ms as [number, number];
    const best = Number.isNaN(helped) || !(alone < helped);
    return ++this.count % PROBE === 0 ? !best : best;
  }

  record(helped: boolean, ms: number): void {
    const k = helped ? 1 : 0;
    const m = this.ms[k]!;
    // A moving mean: trees of one fit take about as long as each other, and the machine's load drifts.
    this.ms[k] = Number.isNaN(m) ? ms : m + 0.25 * (ms - m);
  }
}
const PROBE = 16;
