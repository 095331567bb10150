// zones.js (admin) — service zones: a polygon drawn by clicking points on a
// map (Leaflet, when the business has a tile service) or on a plain SVG
// lon/lat grid (always there, the fallback without tiles), or pasted as
// GeoJSON, and/or a list of postal codes.

import { el, status } from '../api.js';
import { loadLeaflet, tileMap } from '../places.js';
import { crudBlock } from './crud.js';
import { field, val } from './form.js';

const SVGNS = 'http://www.w3.org/2000/svg';
const W = 800;
const H = 600;

function svg(tag, attrs = {}, text) {
  const n = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

function problem(fieldName, message) {
  const e = new Error(message);
  e.field = fieldName;
  return e;
}

// The outer ring of a GeoJSON Polygon / Feature / FeatureCollection as
// [[lon, lat], …] without the closing point. Throws on anything else.
export function ringOf(geo) {
  let g = geo;
  if (g && g.type === 'FeatureCollection') g = (g.features || [])[0];
  if (g && g.type === 'Feature') g = g.geometry;
  if (!g || g.type !== 'Polygon' || !Array.isArray(g.coordinates) || !Array.isArray(g.coordinates[0])) {
    throw new Error('Paste a GeoJSON Polygon (or a Feature holding one).');
  }
  const ring = g.coordinates[0].map((p) => {
    if (!Array.isArray(p) || p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1]) ||
        Math.abs(p[0]) > 180 || Math.abs(p[1]) > 90) {
      throw new Error('Every point must be [longitude, latitude] in degrees.');
    }
    return [p[0], p[1]];
  });
  if (ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1]) ring.pop();
  if (ring.length < 3) throw new Error('A polygon needs at least three points.');
  return ring;
}

function polygonOf(ring) {
  return { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
}

function niceStep(span) {
  const raw = span / 8;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
}

// A drawing surface bound to a points array. OTHERS: rings of other zones;
// HOMES: staff home bases [{name, lat, lon}]; onChange(points).
function polygonDrawer(points, others, homes, onChange) {
  const all = [...points, ...others.flat(), ...homes.map((h) => [h.lon, h.lat])];
  const view = { lon: 0, lat: 0, span: 1 };
  function fit(pts) {
    if (!pts.length) return;
    const lons = pts.map((p) => p[0]);
    const lats = pts.map((p) => p[1]);
    view.lon = (Math.min(...lons) + Math.max(...lons)) / 2;
    view.lat = (Math.min(...lats) + Math.max(...lats)) / 2;
    const cos = Math.cos((view.lat * Math.PI) / 180) || 1;
    const wide = Math.max(Math.max(...lons) - Math.min(...lons),
      ((Math.max(...lats) - Math.min(...lats)) * (W / H)) / cos);
    view.span = Math.max(wide * 1.4, 0.01);
  }
  fit(points.length ? points : all);

  const k = () => W / (view.span * (Math.cos((view.lat * Math.PI) / 180) || 1));
  const cos = () => Math.cos((view.lat * Math.PI) / 180) || 1;
  const toXY = ([lon, lat]) => [W / 2 + (lon - view.lon) * cos() * k(), H / 2 - (lat - view.lat) * k()];
  const toLonLat = (x, y) => [view.lon + (x - W / 2) / (k() * cos()), view.lat - (y - H / 2) / k()];

  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'zone-canvas', id: 'zone-canvas', role: 'img',
    'aria-label': 'Zone drawing area: click to add a corner of the polygon' });

  function draw() {
    root.replaceChildren();
    const g = svg('g', { class: 'grid' });
    const [lonA, latB] = toLonLat(0, H);
    const [lonB, latA] = toLonLat(W, 0);
    const step = niceStep(lonB - lonA);
    const dec = Math.max(0, -Math.floor(Math.log10(step)));
    for (let lon = Math.ceil(lonA / step) * step; lon <= lonB; lon += step) {
      const [x] = toXY([lon, view.lat]);
      g.append(svg('line', { x1: x, y1: 0, x2: x, y2: H }), svg('text', { x: x + 2, y: H - 4 }, lon.toFixed(dec)));
    }
    for (let lat = Math.ceil(latB / step) * step; lat <= latA; lat += step) {
      const [, y] = toXY([view.lon, lat]);
      g.append(svg('line', { x1: 0, y1: y, x2: W, y2: y }), svg('text', { x: 2, y: y - 2 }, lat.toFixed(dec)));
    }
    root.append(g);
    for (const r of others) {
      root.append(svg('polygon', { class: 'other', points: r.map((p) => toXY(p).join(',')).join(' ') }));
    }
    for (const h of homes) {
      const [x, y] = toXY([h.lon, h.lat]);
      const c = svg('circle', { class: 'home', cx: x, cy: y, r: 5 });
      c.append(svg('title', {}, `${h.name} (home base)`));
      root.append(c);
    }
    if (points.length) {
      const pts = points.map((p) => toXY(p).join(',')).join(' ');
      root.append(points.length >= 3 ? svg('polygon', { class: 'draft', points: pts }) : svg('polyline', { class: 'draft', points: pts }));
      for (const p of points) {
        const [x, y] = toXY(p);
        root.append(svg('circle', { class: 'pt', cx: x, cy: y, r: 5 }));
      }
    }
  }

  root.addEventListener('click', (ev) => {
    const m = root.getScreenCTM();
    if (!m) return;
    const pt = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(m.inverse());
    const [lon, lat] = toLonLat(pt.x, pt.y);
    points.push([Number(lon.toFixed(6)), Number(lat.toFixed(6))]);
    draw();
    onChange(points);
  });
  draw();
  return {
    node: root,
    view,
    redraw: draw,
    fit: () => { fit(points.length ? points : all); draw(); },
    zoom: (f) => { view.span *= f; draw(); },
    pan: (dx, dy) => { view.lon += dx * view.span; view.lat += dy * view.span * (H / W); draw(); },
  };
}

// A map of the same POINTS under the drawing (OTHERS: other zones' rings)
// once NODE is on the page; clicks add corners, then onAdd(). Returns
// {redraw()}; without tiles or Leaflet NODE stays hidden.
function zoneMap(node, tiles, points, others, onAdd) {
  let map = null;
  let L = null;
  let layer = null;
  function redraw() {
    if (!map) return;
    if (layer) layer.remove();
    const ll = points.map(([lon, lat]) => [lat, lon]);
    layer = L.layerGroup([
      ...others.map((r) => L.polygon(r.map(([lon, lat]) => [lat, lon]), { color: '#9aa3b2', weight: 1 })),
      ...(ll.length >= 3 ? [L.polygon(ll, { color: '#1f5fbf' })] : ll.length ? [L.polyline(ll, { color: '#1f5fbf' })] : []),
      ...ll.map((p) => L.circleMarker(p, { radius: 5, color: '#1f5fbf' })),
    ]).addTo(map);
  }
  (async () => {
    if (!tiles) return;
    try {
      L = await loadLeaflet();
    } catch {
      return;
    }
    for (let i = 0; i < 50 && !node.isConnected; i++) await new Promise((r) => setTimeout(r, 20));
    node.hidden = false;
    const all = [...points, ...others.flat()];
    map = tileMap(L, node, tiles, { center: [40, -98], zoom: 3 });
    if (all.length) map.fitBounds(all.map(([lon, lat]) => [lat, lon]), { padding: [20, 20] });
    map.on('click', (ev) => {
      points.push([Number(ev.latlng.lng.toFixed(6)), Number(ev.latlng.lat.toFixed(6))]);
      onAdd();
    });
    redraw();
  })();
  return { redraw };
}

export async function renderZones(root, ctx) {
  const [tiles, zones, staff] = await Promise.all([ctx.get('/catalog').then((c) => c.tiles, () => null),
    ctx.items('zones', true), ctx.items('staff', true)]);
  const homes = staff.filter((s) => s.home && Number.isFinite(s.home.lat) && Number.isFinite(s.home.lon))
    .map((s) => ({ name: s.name, lat: s.home.lat, lon: s.home.lon }));

  const block = crudBlock({
    ctx, name: 'zones', title: 'Service zones', noun: 'zone',
    intro: 'A staff member assigned to zones serves only properties inside one of them; one with no zones serves everywhere. A property is placed by its coordinates when known, else by its postal code.',
    columns: [
      ['Name', (z) => z.name],
      ['Polygon', (z) => (z.polygon ? `${Math.max(0, ((z.polygon.coordinates || [[]])[0] || []).length - 1)} corners` : '—')],
      ['Postal codes', (z) => (z.postal_codes || []).join(', ') || '—'],
    ],
    editor: (item) => {
      const z = item || {};
      let points = [];
      if (z.polygon) {
        try {
          points = ringOf(z.polygon);
        } catch {
          points = [];
        }
      }
      const others = zones.filter((o) => !item || String(o.id) !== String(item.id)).map((o) => {
        try {
          return o.polygon ? ringOf(o.polygon) : null;
        } catch {
          return null;
        }
      }).filter(Boolean);
      const geo = el('textarea', { id: 'zone-geojson', name: 'zone-geojson', 'data-field': 'polygon', rows: 4, spellcheck: 'false' });
      const drawStatus = el('p', { class: 'hint', id: 'zone-points', 'aria-live': 'polite' });
      let onMap = null;
      const sync = () => {
        if (onMap) onMap.redraw();
        geo.value = points.length >= 3 ? JSON.stringify(polygonOf(points)) : '';
        drawStatus.textContent = points.length
          ? `${points.length} corner${points.length === 1 ? '' : 's'}${points.length < 3 ? ' — add at least three' : ''}.`
          : 'No polygon: click on the grid to add corners, or paste GeoJSON below.';
      };
      const drawer = polygonDrawer(points, others, homes, sync);
      const mapNode = el('div', { class: 'map zone-map', id: 'zone-map', hidden: true,
        'aria-label': 'Map: click to add a corner of the polygon' });
      onMap = zoneMap(mapNode, tiles, points, others, () => { drawer.redraw(); sync(); });
      sync();
      const geoStatus = el('p', { class: 'status', role: 'status', hidden: true });
      const useGeo = el('button', { type: 'button', class: 'small', id: 'zone-geojson-apply', text: 'Use this GeoJSON',
        onclick: () => {
          try {
            const ring = ringOf(JSON.parse(geo.value));
            points.splice(0, points.length, ...ring);
            drawer.fit();
            sync();
            status(geoStatus, `Polygon with ${ring.length} corners loaded.`, 'ok');
          } catch (e) {
            status(geoStatus, e instanceof SyntaxError ? 'That is not valid JSON.' : e.message, 'error');
          }
        } });
      const btn = (id, text, label, fn) => el('button', { type: 'button', class: 'small', id, 'aria-label': label, text, onclick: fn });
      const node = el('div', {},
        field('zone-name', 'Name', z.name, { field: 'name', required: true }),
        el('fieldset', { class: 'field' },
          el('legend', { text: 'Polygon' }),
          el('p', { class: 'hint', text: 'Click on the map (or the grid) to add corners in order (longitude across, latitude up). Grey shapes are other zones; green dots are staff home bases.' }),
          mapNode,
          drawer.node,
          drawStatus,
          el('div', { class: 'inline' },
            btn('zone-undo', 'Undo last corner', null, () => { points.pop(); drawer.redraw(); sync(); }),
            btn('zone-clear', 'Clear', 'Clear the polygon', () => { points.length = 0; drawer.redraw(); sync(); }),
            btn('zone-fit', 'Fit', 'Fit the view to the polygon', () => drawer.fit()),
            btn('zone-in', '+', 'Zoom in', () => drawer.zoom(0.5)),
            btn('zone-out', '−', 'Zoom out', () => drawer.zoom(2)),
            btn('zone-w', '←', 'Pan west', () => drawer.pan(-0.25, 0)),
            btn('zone-e', '→', 'Pan east', () => drawer.pan(0.25, 0)),
            btn('zone-n', '↑', 'Pan north', () => drawer.pan(0, 0.25)),
            btn('zone-s', '↓', 'Pan south', () => drawer.pan(0, -0.25))),
          el('div', { class: 'row' },
            field('zone-view-lat', 'View centre latitude', drawer.view.lat.toFixed(4), {}),
            field('zone-view-lon', 'View centre longitude', drawer.view.lon.toFixed(4), {})),
          btn('zone-view-go', 'Centre the view there', null, () => {
            const lat = Number(val(root, 'zone-view-lat'));
            const lon = Number(val(root, 'zone-view-lon'));
            if (Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
              drawer.view.lat = lat;
              drawer.view.lon = lon;
              drawer.redraw();
            }
          }),
          el('div', { class: 'field' },
            el('label', { for: 'zone-geojson', text: 'GeoJSON (paste to replace the drawing)' }), geo),
          useGeo, geoStatus),
        field('zone-postal', 'Postal codes', (z.postal_codes || []).join(', '),
          { type: 'textarea', field: 'postal_codes', rows: 2, hint: 'Separated by commas, spaces or new lines.' }));
      return {
        node,
        read: () => {
          const name = val(root, 'zone-name');
          if (!name) throw problem('name', 'Enter a name.');
          if (points.length && points.length < 3) throw problem('polygon', 'A polygon needs at least three corners (or clear it).');
          const postal = val(root, 'zone-postal').split(/[\s,;]+/).filter(Boolean);
          if (!points.length && !postal.length) throw problem('postal_codes', 'Draw a polygon or list at least one postal code.');
          return { name, polygon: points.length ? polygonOf(points) : null, postal_codes: postal };
        },
      };
    },
  });
  root.replaceChildren(el('h1', { text: 'Service zones' }), block.node);
  await block.reload();
}
