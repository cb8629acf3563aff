// Group commit for a write many requests make at once (the authentication log: one entry per
// refresh, code exchange and sign-in). While one statement is in flight, the items that arrive
// wait and go together in the next, at most `max` at a time; each caller's promise settles only
// when the statement holding its item has committed, so nothing is acknowledged before it is
// durable. An idle writer sends an item at once: no timer, no added latency.
export function coalesce<T, R>(writeMany: (items: T[]) => Promise<R[]>, max = 100): (item: T) => Promise<R> {
  let queue: Array<{ item: T; resolve(result: R): void; reject(error: unknown): void }> = [];
  let busy = false;

  async function drain() {
    busy = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, max);
      queue = queue.slice(max);
      try {
        const results = await writeMany(batch.map((waiting) => waiting.item));
        batch.forEach((waiting, i) => waiting.resolve(results[i]!));
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    busy = false;
  }

  return (item) => new Promise<R>((resolve, reject) => {
    queue.push({ item, resolve, reject });
    if (!busy) void drain();
  });
}
