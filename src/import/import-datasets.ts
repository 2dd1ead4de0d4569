// One identity's datasets: each read whole from the source and handed to the target, which keeps it, brings it
// forward, or reports why not (see ImportDatasetResult).
import type { DatasetAddress } from '../store/store.ts';
import { errorText } from './error-text.ts';
import type { ImportReport } from './import-report.ts';
import type { Source } from './source-clients.ts';
import { readSourceDataset, sourceDatasets } from './source-datasets.ts';
import type { ImportTarget } from './target-store.ts';

export async function importDatasetsOf(
  context: { source: Source; target: ImportTarget; report: ImportReport },
  identityPoolId: string,
  identityId: string,
): Promise<void> {
  const { source, target, report } = context;
  let listed;
  try {
    listed = await sourceDatasets(source, identityPoolId, identityId);
  } catch (error) {
    report.problem(`identity ${identityId}: its datasets could not be listed: ${errorText(error)}`);
    return;
  }
  for (const dataset of listed) {
    const address: DatasetAddress = { identityPoolId, identityId, datasetName: dataset.DatasetName! };
    const name = `dataset ${identityId}/${address.datasetName}`;
    report.datasets.read += 1;
    try {
      const read = await readSourceDataset(source, address, dataset);
      if (read.outcome === 'gone') {
        report.datasets.skipped += 1;
        report.note('datasets deleted in the source while the import ran were skipped');
        continue;
      }
      if (read.outcome === 'changing') {
        report.datasets.skipped += 1;
        report.problem(`${name}: written in the source during each of ${read.reads} reads; run the import again to copy it`);
        continue;
      }
      report.records.read += read.dataset.records.length;
      report.records.tombstones += read.dataset.records.filter((r) => r.value === undefined).length;
      const result = await target.importDataset(address, read.dataset);
      switch (result.outcome) {
        case 'created':
        case 'updated':
          report.datasets[result.outcome] += 1;
          report.records.written += result.recordsWritten;
          break;
        case 'unchanged':
          report.datasets.unchanged += 1;
          break;
        case 'target-ahead':
          report.datasets['target-ahead'] += 1;
          report.note('"target ahead": datasets synced here since an earlier import, with nothing new in the source, were kept as they are here');
          break;
        case 'diverged':
          report.datasets.diverged += 1;
          report.problem(
            `${name}: written both here and in the source since an earlier import (${result.detail}); kept as it is here. ` +
              "To bring the source's values over, write them here as a device would (UpdateRecords), so every device gets them as new changes.",
          );
          break;
        case 'deleted-on-target':
          report.datasets['deleted-on-target'] += 1;
          report.problem(`${name}: deleted here after everything the source holds of it; kept deleted`);
          break;
        case 'invalid':
          report.datasets.skipped += 1;
          report.problem(`${name}: the source's answer contradicts itself (${result.reason}); not imported`);
          break;
        case 'identity-not-found':
          report.datasets.failed += 1;
          report.problem(`${name}: its identity is not in the pool here`);
          break;
      }
    } catch (error) {
      report.datasets.failed += 1;
      report.problem(`${name}: ${errorText(error)}`);
    }
  }
}
