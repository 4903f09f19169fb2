import { describe, expect, it } from 'vitest';
import { parseEvent } from './events';
import { AUTO, fitting, frameRendition, parseRenditionName, parseRenditions, renditionLabel, renditionMenu, type Rendition } from './renditions';

const LADDER: Rendition[] = [
  { name: '720p', w: 1280, h: 720, quality: 80 },
  { name: '360p', w: 640, h: 360, quality: 70 },
  { name: '240p', w: 426, h: 240, quality: 60 },
  { name: '180p', w: 320, h: 180, quality: 50 },
];

describe('parseRenditionName', () => {
  const cases: Array<[string, unknown, string | null]> = [
    ['reads a rendition name', '360p', '360p'],
    ['reads auto in any case', 'Auto', AUTO],
    ['trims spaces', ' 720p ', '720p'],
    ['refuses an empty name', '', null],
    ['refuses a name that would need escaping in a URL', '360p&token=x', null],
    ['refuses a name longer than 16 characters', 'x'.repeat(17), null],
    ['refuses a number', 360, null],
    ['refuses null', null, null],
  ];
  for (const [name, value, want] of cases) {
    it(name, () => expect(parseRenditionName(value)).toBe(want));
  }
});

describe('parseRenditions', () => {
  it('reads the ladder in the order the server gives it', () => {
    expect(parseRenditions(LADDER)).toEqual(LADDER);
  });

  it('gives [] when the field is absent or not a list, as from an older server', () => {
    expect(parseRenditions(undefined)).toEqual([]);
    expect(parseRenditions({ name: '720p' })).toEqual([]);
  });

  it('skips items without a usable name or size, and repeats, and keeps the rest', () => {
    const got = parseRenditions([
      { name: '720p', w: 1280, h: 720, quality: 80 },
      { name: 'auto', w: 1, h: 1, quality: 1 },
      { name: '360p', w: 0, h: 360, quality: 70 },
      { name: '<b>', w: 640, h: 360 },
      'nope',
      null,
      { name: '720p', w: 1280, h: 720, quality: 10 },
      { name: '240p', w: 426, h: 240 },
    ]);
    expect(got).toEqual([
      { name: '720p', w: 1280, h: 720, quality: 80 },
      { name: '240p', w: 426, h: 240, quality: 0 },
    ]);
  });

  it('keeps at most 12', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ name: `${i + 1}p`, w: 10, h: i + 1, quality: 50 }));
    expect(parseRenditions(many)).toHaveLength(12);
  });
});

describe('hello with renditions', () => {
  it('carries the ladder and the rendition asked for', () => {
    const ev = parseEvent(JSON.stringify({ type: 'hello', state: 'live', renditions: LADDER, rendition: '360p' }));
    expect(ev).toMatchObject({ type: 'hello', renditions: LADDER, rendition: '360p' });
  });

  it('has no ladder and no rendition from an older server', () => {
    const ev = parseEvent('{"type":"hello","state":"live","w":640,"h":480}');
    expect(ev).toMatchObject({ type: 'hello', renditions: [] });
    expect(ev?.type === 'hello' && ev.rendition).toBeUndefined();
  });
});

describe('frameRendition', () => {
  it('is what the header says', () => expect(frameRendition('240p', LADDER)).toBe('240p'));
  it('is the stream\'s own size when the header says nothing', () => expect(frameRendition(null, LADDER)).toBe('720p'));
  it('is unknown from a server without renditions', () => expect(frameRendition(null, [])).toBeNull());
});

describe('renditionLabel', () => {
  const cases: Array<[string, string, string | null, string]> = [
    ['says Auto and what the server chose', AUTO, '360p', 'Auto · 360p'],
    ['says Auto alone before a frame says what it is', AUTO, null, 'Auto'],
    ['says the pinned rendition', '720p', '720p', '720p'],
  ];
  for (const [name, selected, current, want] of cases) {
    it(name, () => expect(renditionLabel(selected, current)).toBe(want));
  }
});

describe('renditionMenu', () => {
  it('offers Auto, then every rendition largest first, with Auto naming the current one', () => {
    const menu = renditionMenu({ available: LADDER, selected: AUTO, current: '360p' });
    expect(menu).toEqual({
      shown: true,
      value: AUTO,
      label: 'Auto · 360p',
      items: [
        { value: AUTO, label: 'Auto · 360p' },
        { value: '720p', label: '720p' },
        { value: '360p', label: '360p' },
        { value: '240p', label: '240p' },
        { value: '180p', label: '180p' },
      ],
    });
  });

  it('chooses a pinned rendition and calls Auto plain Auto', () => {
    const menu = renditionMenu({ available: LADDER, selected: '240p', current: '240p' });
    expect(menu.value).toBe('240p');
    expect(menu.label).toBe('240p');
    expect(menu.items[0]).toEqual({ value: AUTO, label: 'Auto' });
  });

  it('shows Auto for a pinned name the server does not offer', () => {
    const menu = renditionMenu({ available: LADDER, selected: '1080p', current: '720p' });
    expect(menu.value).toBe(AUTO);
    expect(menu.label).toBe('Auto · 720p');
  });

  it('is hidden, with Auto only, when hello has no renditions', () => {
    expect(renditionMenu({ available: [], selected: AUTO, current: null })).toEqual({
      shown: false,
      value: AUTO,
      label: 'Auto',
      items: [{ value: AUTO, label: 'Auto' }],
    });
  });

  it('is hidden when there is only one rendition to take', () => {
    expect(renditionMenu({ available: LADDER.slice(0, 1), selected: AUTO, current: '720p' }).shown).toBe(false);
  });
});

describe('fitting', () => {
  const ladder = [
    { name: '720p', w: 1280, h: 720, quality: 80 },
    { name: '360p', w: 640, h: 360, quality: 70 },
    { name: '240p', w: 426, h: 240, quality: 60 },
  ];
  it('takes the largest rendition no wider than the picture', () => {
    expect(fitting(ladder, 900)).toBe('360p');
    expect(fitting(ladder, 640)).toBe('360p');
    expect(fitting(ladder, 639)).toBe('240p');
    expect(fitting(ladder, 1280)).toBe('720p');
  });
  it('takes the smallest for a picture narrower than all, and nothing without a choice', () => {
    expect(fitting(ladder, 300)).toBe('240p');
    expect(fitting(ladder, 4000)).toBe('720p');
    expect(fitting(ladder.slice(0, 1), 300)).toBeNull();
    expect(fitting([], 300)).toBeNull();
  });
});
