// Runs `work` on the items of an async iterable with at most `limit` running at once, taking items only as
// workers free up, so a listing of millions of identities is never held in memory. The first error stops
// the others from taking more items and is rethrown once the running ones end.
export async function forEachConcurrently<T>(items: AsyncIterable<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure) {
      let next: IteratorResult<T>;
      try {
        // An async generator queues concurrent next() calls and answers them in order.
        next = await iterator.next();
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (next.done) return;
      try {
        await work(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  if (failure) {
    await iterator.return?.();
    throw failure.error;
  }
}
