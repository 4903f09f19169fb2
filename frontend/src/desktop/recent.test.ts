import { describe, expect, it } from 'vitest';
import { RECENT_MAX, addRecent, isRecentKind, loadRecent, parseRecent, remember } from './recent';

/** memory is a Storage stand-in. */
function memory(init: Record<string, string> = {}): Pick<Storage, 'getItem' | 'setItem'> & { data: Record<string, string> } {
  const data = { ...init };
  return { data, getItem: (k) => data[k] ?? null, setItem: (k, v) => void (data[k] = v) };
}

describe('addRecent', () => {
  it('puts the newest first', () => {
    expect(addRecent(['/a.mp4'], 'rtsp://cam/1')).toEqual(['rtsp://cam/1', '/a.mp4']);
  });
  it('moves a source opened again to the front instead of repeating it', () => {
    expect(addRecent(['/a.mp4', '/b.mp4', '/c.mp4'], '/c.mp4')).toEqual(['/c.mp4', '/a.mp4', '/b.mp4']);
  });
  it(`keeps at most ${RECENT_MAX}`, () => {
    const list = ['/1', '/2', '/3', '/4', '/5'];
    expect(addRecent(list, '/6')).toEqual(['/6', '/1', '/2', '/3', '/4']);
  });
  it('does not keep the test pattern, cameras or the external producer, which are always offered', () => {
    expect(addRecent(['/a.mp4'], 'test')).toEqual(['/a.mp4']);
    expect(addRecent(['/a.mp4'], 'camera:0')).toEqual(['/a.mp4']);
    expect(addRecent(['/a.mp4'], 'ingest')).toEqual(['/a.mp4']);
    expect(isRecentKind('C:\\videos\\line.mp4')).toBe(true);
  });
});

describe('parseRecent', () => {
  it('reads what remember stored', () => {
    const store = memory();
    remember('/a.mp4', store);
    remember('rtsp://cam/1', store);
    expect(loadRecent(store)).toEqual(['rtsp://cam/1', '/a.mp4']);
  });
  it('takes damaged storage as an empty list', () => {
    expect(parseRecent('{not json')).toEqual([]);
    expect(parseRecent('{"a":1}')).toEqual([]);
    expect(parseRecent('["/a.mp4", 3, "test"]')).toEqual(['/a.mp4']);
    expect(loadRecent(undefined)).toEqual([]);
  });
});
