// Work done once per owner (a run's hub configuration) and key: the plan and the run stages ask
// for the same dataset and inputs, and get the same promise. A failure is not remembered, so a
// later call tries again.

/** A memo of promises per owner object, forgotten with the owner. */
export function promiseMemo<Owner extends object, T>(): (
  owner: Owner,
  key: string,
  make: () => Promise<T>,
) => Promise<T> {
  const memos = new WeakMap<Owner, Map<string, Promise<T>>>();
  return (owner, key, make) => {
    const memo = memos.get(owner) ?? new Map<string, Promise<T>>();
    memos.set(owner, memo);
    let value = memo.get(key);
    if (!value) {
      value = make();
      memo.set(key, value);
      value.catch(() => memo.delete(key));
    }
    return value;
  };
}
