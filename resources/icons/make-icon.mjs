#!/usr/bin/env node
// Draws QuantDesk's app icon (512×512 RGBA PNG): a dark rounded tile with four candlesticks and a
// rising amber line. Pure Node (zlib), deterministic: `node resources/icons/make-icon.mjs`.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const N = 512;
const px = new Uint8Array(N * N * 4);

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function blend(x, y, [r, g, b], a = 1) {
  if (x < 0 || y < 0 || x >= N || y >= N || a <= 0) return;
  const i = (y * N + x) * 4;
  const da = px[i + 3] / 255;
  const oa = a + da * (1 - a);
  const mix = (s, d) => Math.round((s * a + d * da * (1 - a)) / (oa || 1));
  px[i] = mix(r, px[i]);
  px[i + 1] = mix(g, px[i + 1]);
  px[i + 2] = mix(b, px[i + 2]);
  px[i + 3] = Math.round(oa * 255);
}

// Rounded tile with 4×4 supersampled edges.
const R = 96;
const M = 24;
function insideTile(x, y) {
  const cx = Math.min(Math.max(x, M + R), N - M - R);
  const cy = Math.min(Math.max(y, M + R), N - M - R);
  return (x - cx) ** 2 + (y - cy) ** 2 <= R * R && x >= M && x <= N - M && y >= M && y <= N - M;
}
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    let hits = 0;
    for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) if (insideTile(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4)) hits++;
    const t = y / N;
    blend(x, y, [Math.round(22 - 8 * t), Math.round(26 - 8 * t), Math.round(36 - 10 * t)], hits / 16);
  }
}

function rect(x0, y0, x1, y1, color) {
  for (let y = Math.round(y0); y < Math.round(y1); y++) for (let x = Math.round(x0); x < Math.round(x1); x++) blend(x, y, color);
}

// Candles: [centre x, wick top, body top, body bottom, wick bottom, up?]
const GREEN = [38, 166, 154];
const RED = [239, 83, 80];
const candles = [
  [128, 250, 280, 370, 400, false],
  [208, 220, 240, 330, 360, true],
  [288, 170, 200, 290, 320, true],
  [368, 120, 150, 240, 280, true],
];
for (const [cx, wt, bt, bb, wb, up] of candles) {
  const c = up ? GREEN : RED;
  rect(cx - 5, wt, cx + 5, wb, c);
  rect(cx - 26, bt, cx + 26, bb, c);
}

// A rising amber line, anti-aliased by distance to the segment.
const AMBER = [245, 166, 35];
const pts = [
  [84, 420],
  [168, 390],
  [248, 330],
  [328, 300],
  [428, 150],
];
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    let d = Infinity;
    for (let k = 0; k + 1 < pts.length; k++) {
      const [ax, ay] = pts[k];
      const [bx, by] = pts[k + 1];
      const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
      d = Math.min(d, Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay))));
    }
    const a = Math.max(0, Math.min(1, 9 - d));
    if (a > 0 && insideTile(x, y)) blend(x, y, AMBER, a);
  }
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0; // filter: none
  Buffer.from(px.buffer, y * N * 4, N * 4).copy(raw, y * (N * 4 + 1) + 1);
}
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
const out = join(dirname(fileURLToPath(import.meta.url)), 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
