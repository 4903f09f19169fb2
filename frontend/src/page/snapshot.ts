// Naming a saved picture: <stream>-<time>.jpg, e.g.
// door-2026-05-01T12-34-56Z.jpg (framecast-<time>.jpg for a stream without a
// usable name; the desktop's stream is itself named framecast). The time is ISO 8601 in UTC with
// the colons of its clock written as hyphens, which no file system refuses,
// and the names sort by time.

/** SNAPSHOT_TYPE and SNAPSHOT_QUALITY are what canvas.toBlob is asked for. */
export const SNAPSHOT_TYPE = 'image/jpeg';
export const SNAPSHOT_QUALITY = 0.92;

const MAX_STREAM = 40;

/** snapshotName names the picture of stream taken at "at". */
export function snapshotName(stream: string, at: Date): string {
  const safe = stream
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, MAX_STREAM);
  const time = at.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  return `${safe || 'framecast'}-${time}.jpg`;
}
