import { describe, expect, it } from 'vitest';
import type { Rendition } from '../viewer';
import { tileRendition } from './fit';

const LADDER: Rendition[] = [
  { name: '720p', w: 1280, h: 720, quality: 80 },
  { name: '360p', w: 640, h: 360, quality: 70 },
  { name: '240p', w: 426, h: 240, quality: 60 },
  { name: '180p', w: 320, h: 180, quality: 50 },
];
const PORTRAIT: Rendition[] = [
  { name: '1080x1920', w: 1080, h: 1920, quality: 80 },
  { name: '360x640', w: 360, h: 640, quality: 70 },
];

describe('tileRendition', () => {
  const cases: Array<[string, Rendition[], number, number, number, string | null]> = [
    ['a 2×2 tile on a 1440×900 window takes 360p', LADDER, 669, 376, 1, '360p'],
    ['a 3×3 tile on a 1440×900 window, 417 pixels wide, takes 180p', LADDER, 417, 235, 1, '180p'],
    ['a tile 440 pixels wide takes 240p', LADDER, 440, 248, 1, '240p'],
    ['the same tile on a screen of two device pixels a CSS pixel takes 720p', LADDER, 669, 376, 2, '720p'],
    ['a tile smaller than every rendition takes the smallest', LADDER, 200, 112, 1, '180p'],
    ['a tile as wide as the stream takes the stream', LADDER, 1280, 720, 1, '720p'],
    ['a portrait stream is letterboxed: the box height decides', PORTRAIT, 669, 376, 1, '360x640'],
    ['a stream of one size has nothing to pick', [LADDER[0]!], 669, 376, 1, null],
    ['a server without renditions has nothing to pick', [], 669, 376, 1, null],
  ];
  for (const [name, ladder, w, h, dpr, want] of cases) {
    it(name, () => expect(tileRendition(ladder, w, h, dpr)).toBe(want));
  }
});
