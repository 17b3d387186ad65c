// The app's view of the sync queue: batches by id and the latest live progress of running batches, kept
// current from `list_batches` and the shell's coalesced `sync:update` events. Screens subscribe to it.

import type { Batch, Progress } from "./api";

export type Listener = (changed: Batch[]) => void;

export class BatchBook {
  private batches = new Map<number, Batch>();
  private progress = new Map<number, Map<string, Progress>>();
  private listeners = new Set<Listener>();

  /** Replace everything with a fresh list (newest first from the shell). */
  replace(list: Batch[]): void {
    this.batches = new Map(list.map((b) => [b.id, b]));
    for (const id of [...this.progress.keys()]) {
      if (this.batches.get(id)?.status !== "RUNNING") this.progress.delete(id);
    }
    this.emit(list);
  }

  /** Apply changed batches and progress from one coalesced update. */
  apply(changed: Batch[], progress: Progress[]): void {
    for (const batch of changed) {
      this.batches.set(batch.id, batch);
      // A batch that is no longer running has no live progress; a retry starts from zero.
      if (batch.status !== "RUNNING") this.progress.delete(batch.id);
    }
    const touched = new Set(changed.map((b) => b.id));
    for (const p of progress) {
      const batch = this.batches.get(p.batch_id);
      if (batch && batch.status !== "RUNNING") continue;
      let perFunction = this.progress.get(p.batch_id);
      if (!perFunction) {
        perFunction = new Map();
        this.progress.set(p.batch_id, perFunction);
      }
      perFunction.set(p.function, p);
      touched.add(p.batch_id);
    }
    const list = [...touched].map((id) => this.batches.get(id)).filter((b): b is Batch => b !== undefined);
    if (list.length > 0) this.emit(list);
  }

  /** Newest first. */
  all(): Batch[] {
    return [...this.batches.values()].sort((a, b) => b.id - a.id);
  }

  get(id: number): Batch | undefined {
    return this.batches.get(id);
  }

  progressOf(id: number): Progress[] {
    return [...(this.progress.get(id)?.values() ?? [])];
  }

  /** Batches whose data is staged, newest first. */
  staged(): Batch[] {
    return this.all().filter((b) => b.status === "SUCCEEDED");
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(changed: Batch[]): void {
    for (const listener of this.listeners) listener(changed);
  }
}
