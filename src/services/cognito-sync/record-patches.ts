// Checks an UpdateRecords batch before anything touches the store: the model has already checked types,
// Op values, required members and lengths; these are the rules it cannot express. Any failure refuses the
// whole batch.
import type { RecordPatch } from '../../model/cognito-sync-types.ts';
import { invalidParameter } from '../../protocol/errors.ts';
import type { RecordPatchInput } from '../../store/store.ts';

const shortened = (key: string) => (key.length > 64 ? `${key.slice(0, 64)}...` : key);

export function checkedPatches(patches: RecordPatch[] | undefined): RecordPatchInput[] {
  const seen = new Set<string>();
  return (patches ?? []).map((patch, i) => {
    const where = `RecordPatches[${i}] (key '${shortened(patch.Key)}')`;
    if (patch.SyncCount < 0) throw invalidParameter(`${where}: SyncCount must not be negative, got ${patch.SyncCount}.`);
    if (patch.Op === 'replace' && patch.Value === undefined) throw invalidParameter(`${where}: Op replace needs a Value.`);
    if (seen.has(patch.Key)) throw invalidParameter(`${where}: the key appears more than once in this batch.`);
    seen.add(patch.Key);
    return {
      op: patch.Op,
      key: patch.Key,
      value: patch.Op === 'replace' ? patch.Value : undefined,
      syncCount: patch.SyncCount,
      deviceLastModifiedAt: patch.DeviceLastModifiedDate,
    };
  });
}
