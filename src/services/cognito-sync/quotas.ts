// Words the LimitExceededException for a quota the store found broken. Each message names the quota and
// the setting that raises it, since self-hosters may change AWS's defaults.
import { ServiceError } from '../../protocol/errors.ts';
import type { SyncQuotas } from '../../store/store.ts';

const DESCRIPTIONS: Record<keyof SyncQuotas, { what: (limit: number, wouldBe: number) => string; setting: string }> = {
  maxDatasetsPerIdentity: {
    what: (limit) => `an identity may have at most ${limit} datasets (merged datasets included)`,
    setting: '--max-datasets-per-identity',
  },
  maxRecordsPerDataset: {
    what: (limit, wouldBe) => `a dataset may hold at most ${limit} records; this update would make ${wouldBe}`,
    setting: '--max-records-per-dataset',
  },
  maxDatasetBytes: {
    what: (limit, wouldBe) => `a dataset may hold at most ${limit} bytes of keys and values; this update would make ${wouldBe}`,
    setting: '--max-dataset-bytes',
  },
};

export function limitExceeded(quota: keyof SyncQuotas, limit: number, wouldBe: number): ServiceError {
  const description = DESCRIPTIONS[quota];
  return new ServiceError('LimitExceededException', `Quota exceeded (${quota}): ${description.what(limit, wouldBe)} (server setting ${description.setting}).`);
}
