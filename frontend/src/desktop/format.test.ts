import { describe, expect, it } from 'vitest';
import { bandwidth, isStreamURL, presetOf, sourceLabel, stateLabel } from './format';

describe('presetOf', () => {
  it('names the preset whose max size matches', () => {
    expect(presetOf({ maxWidth: 1280, maxHeight: 720 })).toBe('720p');
    expect(presetOf({ maxWidth: 0, maxHeight: 0 })).toBe('source');
  });
  it('is empty for a size no preset has', () => {
    expect(presetOf({ maxWidth: 1000, maxHeight: 700 })).toBe('');
  });
});

describe('bandwidth', () => {
  it.each([
    [0, '0 bit/s'],
    [100, '800 bit/s'],
    [125_000, '1.0 Mbit/s'],
    [1_500_000, '12.0 Mbit/s'],
    [250_000_000, '2.00 Gbit/s'],
  ])('formats %d bytes/s as %s', (bps, text) => {
    expect(bandwidth(bps)).toBe(text);
  });
});

describe('sourceLabel', () => {
  it('names each kind of source', () => {
    expect(sourceLabel('test')).toBe('Test pattern');
    expect(sourceLabel('camera:2')).toBe('Camera 2');
    expect(sourceLabel('/home/me/line.mp4')).toBe('File: line.mp4');
    expect(sourceLabel('rtsp://cam/live')).toBe('rtsp://cam/live');
  });
});

describe('isStreamURL', () => {
  it('accepts rtsp and http(s) URLs with a host', () => {
    expect(isStreamURL('rtsp://10.0.0.5/stream')).toBe(true);
    expect(isStreamURL(' https://cam.local/video.mjpg ')).toBe(true);
  });
  it('refuses other schemes and non-URLs', () => {
    expect(isStreamURL('ftp://x/y')).toBe(false);
    expect(isStreamURL('camera:0')).toBe(false);
    expect(isStreamURL('not a url')).toBe(false);
  });
});

describe('stateLabel', () => {
  it('shouts the states a person must notice', () => {
    expect(stateLabel('no-signal')).toBe('NO SIGNAL');
    expect(stateLabel('live')).toBe('LIVE');
  });
});
