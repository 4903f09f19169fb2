import { describe, expect, it } from 'vitest';
import { snapshotName } from './snapshot';

const AT = new Date(Date.UTC(2026, 4, 1, 12, 34, 56, 789));

describe('snapshotName', () => {
  const cases: Array<[string, string, string]> = [
    ['names the stream and the UTC time, without fractions of a second', 'door', 'door-2026-05-01T12-34-56Z.jpg'],
    ['names the desktop\'s stream once, not framecast-framecast', 'framecast', 'framecast-2026-05-01T12-34-56Z.jpg'],
    ['keeps dots, hyphens and underscores', 'line_1.cam-a', 'line_1.cam-a-2026-05-01T12-34-56Z.jpg'],
    ['turns spaces, slashes and the like into single hyphens', 'front door/../ä', 'front-door-2026-05-01T12-34-56Z.jpg'],
    ['says "framecast" when the name is empty (an older server, or no hello yet)', '', 'framecast-2026-05-01T12-34-56Z.jpg'],
    ['says "framecast" when nothing of the name is usable', '../..', 'framecast-2026-05-01T12-34-56Z.jpg'],
    ['cuts a long name', 'x'.repeat(100), `${'x'.repeat(40)}-2026-05-01T12-34-56Z.jpg`],
  ];
  for (const [name, stream, want] of cases) {
    it(name, () => expect(snapshotName(stream, AT)).toBe(want));
  }
});
