import { describe, expect, it } from 'vitest';
import { snapshotName } from './snapshot';

const AT = new Date(Date.UTC(2026, 4, 1, 12, 34, 56, 789));

describe('snapshotName', () => {
  const cases: Array<[string, string, string]> = [
    ['names the stream and the UTC time, without fractions of a second', 'door', 'framecast-door-2026-05-01T12-34-56Z.jpg'],
    ['keeps dots, hyphens and underscores', 'line_1.cam-a', 'framecast-line_1.cam-a-2026-05-01T12-34-56Z.jpg'],
    ['turns spaces, slashes and the like into single hyphens', 'front door/../ä', 'framecast-front-door-2026-05-01T12-34-56Z.jpg'],
    ['says "stream" when the name is empty (an older server, or no hello yet)', '', 'framecast-stream-2026-05-01T12-34-56Z.jpg'],
    ['says "stream" when nothing of the name is usable', '../..', 'framecast-stream-2026-05-01T12-34-56Z.jpg'],
    ['cuts a long name', 'x'.repeat(100), `framecast-${'x'.repeat(40)}-2026-05-01T12-34-56Z.jpg`],
  ];
  for (const [name, stream, want] of cases) {
    it(name, () => expect(snapshotName(stream, AT)).toBe(want));
  }
});
