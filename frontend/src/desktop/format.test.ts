import { describe, expect, it } from 'vitest';
import { bandwidth, codecRates, linkParts, numberProblem, presetOf, readBitrate, showBitrate, sourceLabel, sourceTextProblem, stateLabel } from './format';

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

describe('codecRates', () => {
  it.each([
    [9_360_000, 1_940_000, 'JPEG 9.4 Mbit/s · H.264 1.9 Mbit/s'],
    [9_360_000, 0, 'JPEG 9.4 Mbit/s'],
    [0, 480_000, 'H.264 480 kbit/s'],
    [0, 0, ''],
  ])('names only the codecs sent: JPEG %d, H.264 %d bit/s is "%s"', (jpeg, h264, text) => {
    expect(codecRates(jpeg, h264)).toBe(text);
  });
});

describe('readBitrate', () => {
  it.each([
    ['', 0],
    [' auto ', 0],
    ['2.5', 2_500_000],
    ['0.05', 50_000],
    ['100', 100_000_000],
  ])('reads "%s" Mbit/s as %d bit/s', (text, bps) => {
    expect(readBitrate(text)).toEqual({ bps, problem: '' });
  });
  it.each([
    ['0.01', '0.01 is out of range: use 0.05–100, or empty for auto'],
    ['250', '250 is out of range: use 0.05–100, or empty for auto'],
    ['fast', 'Type Mbit/s from 0.05 to 100, or leave it empty for auto'],
  ])('refuses "%s" with a reason', (text, problem) => {
    expect(readBitrate(text).problem).toBe(problem);
  });
  it('shows what it reads back, and auto as empty', () => {
    expect(showBitrate(2_500_000)).toBe('2.5');
    expect(showBitrate(800_000)).toBe('0.8');
    expect(showBitrate(0)).toBe('');
    expect(readBitrate(showBitrate(1_234_000)).bps).toBe(1_234_000);
  });
});

describe('sourceLabel', () => {
  it('names each kind of source', () => {
    expect(sourceLabel('test')).toBe('Test pattern');
    expect(sourceLabel('camera:2')).toBe('Camera 2');
    expect(sourceLabel('ingest')).toBe('External producer');
    expect(sourceLabel('/home/me/line.mp4')).toBe('File: line.mp4');
    expect(sourceLabel('rtsp://cam/live')).toBe('rtsp://cam/live');
  });
});

describe('sourceTextProblem', () => {
  it('lets stream URLs, file paths and typed specs through to Go', () => {
    for (const ok of ['rtsp://10.0.0.5/stream', ' https://cam.local/video.mjpg ', '/home/me/line.mp4', 'C:\\videos\\line.mp4', 'line.mp4', 'camera:0', 'test']) {
      expect(sourceTextProblem(ok), ok).toBe('');
    }
  });
  it('refuses what Go would refuse on any machine', () => {
    expect(sourceTextProblem('  ')).toMatch(/Type a stream URL or a file path/);
    expect(sourceTextProblem('ftp://x/y')).toMatch(/ftp:\/\/ cannot be opened/);
    expect(sourceTextProblem('rtsp://')).not.toBe('');
  });
});

describe('numberProblem', () => {
  it('takes a number within the range', () => {
    expect(numberProblem('35', 1, 100, true)).toBe('');
    expect(numberProblem('0.5', 0, 1)).toBe('');
  });
  it('refuses a number out of range instead of clamping it', () => {
    expect(numberProblem('-5', 1, 1000000)).toBe('-5 is out of range: use 1–1000000');
    expect(numberProblem('150', 1, 100, true)).toBe('150 is out of range: use 1–100');
  });
  it('refuses what is not a number, or not whole where whole is asked', () => {
    expect(numberProblem('', 1, 120, true)).toBe('Type a number from 1 to 120');
    expect(numberProblem('abc', 1, 120, true)).toBe('Type a number from 1 to 120');
    expect(numberProblem('29.97', 1, 120, true)).toBe('Use a whole number, 1–120');
  });
});

describe('linkParts', () => {
  it('keeps host and port whole and shortens the token in the middle', () => {
    expect(linkParts('http://192.168.100.200:43567/?token=Xk3f9aB2cD4eF6gH8iJ0Qz')).toEqual({
      scheme: 'http://',
      host: '192.168.100.200:43567',
      rest: '/?token=Xk3f9a…J0Qz',
    });
  });
  it('keeps a short token and other paths as they are', () => {
    expect(linkParts('https://relay.example.com:8188/s/line1/?token=abc')).toEqual({
      scheme: 'https://',
      host: 'relay.example.com:8188',
      rest: '/s/line1/?token=abc',
    });
    expect(linkParts('http://[fe80::1]:8080/?token=0123456789abcdefghijkl').host).toBe('[fe80::1]:8080');
  });
  it('shows what is not a URL as it is', () => {
    expect(linkParts('not a url')).toEqual({ scheme: '', host: 'not a url', rest: '' });
  });
});

describe('stateLabel', () => {
  it('shouts the states a person must notice', () => {
    expect(stateLabel('no-signal')).toBe('NO SIGNAL');
    expect(stateLabel('live')).toBe('LIVE');
  });
});
