// places.mjs — local stand-ins for the services the booking page's places
// need, started on 127.0.0.1 by the browser tests: the Nominatim stand-in
// (tests/servers/nominatim_standin.py, as Nominatim's API documents) and a
// map tile server whose tiles are PNGs made here at test time, one colour
// per zoom level (no tile is fetched from anywhere else).

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { REPO, freePort } from './harness.mjs';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

// A 256×256 RGB PNG: colour [r, g, b] with a darker 1 px grid line at the
// right and bottom edges, so tile seams show on screenshots.
export function tilePng([r, g, b]) {
  const size = 256;
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const edge = x === size - 1 || y === size - 1;
      row[1 + x * 3] = edge ? r * 0.8 : r;
      row[2 + x * 3] = edge ? g * 0.8 : g;
      row[3 + x * 3] = edge ? b * 0.8 : b;
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

// Serves /{z}/{x}/{y}.png. Returns {template (for TRIPOD_TILE_URL), hits (the
// paths asked for), stop()}.
export async function startTileServer() {
  const port = await freePort();
  const hits = [];
  const tiles = new Map();
  const srv = createServer((req, res) => {
    const m = /^\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(req.url);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    hits.push(req.url);
    const z = Number(m[1]);
    if (!tiles.has(z)) tiles.set(z, tilePng([226 - (z % 5) * 8, 236 - (z % 3) * 6, 214 + (z % 4) * 6]));
    res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' }).end(tiles.get(z));
  });
  await new Promise((r) => srv.listen(port, '127.0.0.1', r));
  return {
    template: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`,
    hits,
    stop: () => new Promise((r) => srv.close(r)),
  };
}

// Starts tests/servers/nominatim_standin.py. Returns {url, stop()}.
export async function startGeocoder() {
  const port = await freePort();
  const script = path.join(REPO, 'tests', 'servers', 'nominatim_standin.py');
  const child = spawn('/usr/bin/python3', [script, '--port', String(port)],
    { cwd: path.dirname(script), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the Nominatim stand-in did not start: ${out}`)), 15000);
    const on = (b) => {
      out += b.toString();
      if (out.includes('ready ')) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (code) => reject(new Error(`the Nominatim stand-in exited ${code}: ${out}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((r) => {
      if (child.exitCode !== null) return r();
      child.once('exit', r);
      child.kill('SIGTERM');
    }),
  };
}
