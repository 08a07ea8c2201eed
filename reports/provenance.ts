/**
 * A record's provenance as the pages print it: template set, bundle hashes, commit,
 * date, image count, and a one-line summary for a cell's title.
 */
import type { LoadedRecord, ResultRecord } from '../records/records.ts';
import type { Provenance } from './board-types.ts';

function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

export function provenanceOf(loaded: LoadedRecord): Provenance {
  const { record } = loaded;
  const provenance = record.provenance ?? ({} as ResultRecord['provenance']);
  const bundle = provenance.bundle_sha256 ?? {};
  const bundleText = Object.entries(bundle).map(([file, hash]) => `${file} ${shortHash(String(hash))}`).join(', ');
  const commit = provenance.git_commit ?? null;
  const commitText = commit ? shortHash(commit) : 'unknown';
  const summary = [
    `templates: ${record.templates}`,
    `bundle: ${bundleText || 'unknown'}`,
    `commit: ${commitText}`,
    `date: ${provenance.date ?? 'unknown'}`,
    `images: ${record.n_images}`,
  ].join('; ');
  return {
    templates: record.templates,
    bundleSha256: bundle,
    bundleText,
    commit,
    commitText,
    date: provenance.date ?? '',
    images: record.n_images,
    device: provenance.device ?? '',
    packageVersion: provenance.package_version ?? '',
    runId: record.run_id ?? null,
    path: loaded.path,
    summary,
  };
}
