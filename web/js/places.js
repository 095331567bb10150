// places.js — where the property is, on the booking page: address
// suggestions as the agent types (GET /geocode, debounced; the ARIA combobox
// pattern), a map with a pin the agent can drag (Leaflet, built into the
// server under /vendor/leaflet, tiles from the business's tile service), and
// the service-area check right after the address (GET /coverage). Without an
// address service or tiles the postal code alone places the property and a
// note says so instead of the map.

import { api, query, el, status } from './api.js';

const DEBOUNCE_MS = 400;
const MIN_CHARS = 4;

let leaflet = null;

// Loads Leaflet's script and stylesheet once. Resolves to window.L.
export function loadLeaflet() {
  if (!leaflet) {
    leaflet = new Promise((resolve, reject) => {
      document.head.append(el('link', { rel: 'stylesheet', href: '/vendor/leaflet/leaflet.css' }));
      const s = el('script', { src: '/vendor/leaflet/leaflet.js' });
      s.addEventListener('load', () => (window.L ? resolve(window.L) : reject(new Error('no Leaflet'))));
      s.addEventListener('error', () => reject(new Error('the map could not be loaded')));
      document.head.append(s);
    });
  }
  return leaflet;
}

// A Leaflet map in NODE with the catalog's tiles and the attribution they ask
// for (Leaflet's own prefix as plain text: the page allows no inline styles);
// without animations when the person asked for reduced motion.
export function tileMap(L, node, tiles, view) {
  const still = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  const map = L.map(node, {
    attributionControl: false, scrollWheelZoom: false,
    zoomAnimation: !still, fadeAnimation: !still, markerZoomAnimation: !still, inertia: !still,
  });
  L.control.attribution({ prefix: '<a href="https://leafletjs.com">Leaflet</a>' }).addTo(map);
  // Tile services ask for a Referer naming the site; the pages send none
  // (a manage link holds a token), so tiles get the origin alone.
  L.tileLayer(tiles.url, { attribution: tiles.attribution || '', maxZoom: 19, referrerPolicy: 'origin' }).addTo(map);
  map.setView(view.center, view.zoom);
  return map;
}

// A starting view for COUNTRY when nothing is placed yet.
export function countryView(country) {
  return country === 'US' ? { center: [39.8, -98.6], zoom: 4 } : { center: [30, 0], zoom: 2 };
}

// Wires the property fields. NODES: {address, postal, list (the listbox),
// mapBox, mapNote, area (the service-area message)}. CATALOG: the public
// catalog. onChange(): the place (point or postal code) changed.
export function createPlace(nodes, catalog, onChange) {
  const state = { lat: null, lon: null, source: null, options: [], active: -1, timer: null, seq: 0, map: null, pin: null, L: null, areaSeq: 0 };
  const { address, postal, list, mapBox, mapNote, area } = nodes;

  // ---- the address combobox ----
  if (catalog.geocoder) {
    address.setAttribute('role', 'combobox');
    address.setAttribute('aria-autocomplete', 'list');
    address.setAttribute('aria-expanded', 'false');
    address.setAttribute('aria-controls', list.id);
    address.setAttribute('autocomplete', 'off');
    address.addEventListener('input', () => {
      if (state.source === 'address') setPoint(null, null, null);
      clearTimeout(state.timer);
      state.timer = setTimeout(suggest, DEBOUNCE_MS);
    });
    address.addEventListener('keydown', onAddressKey);
    address.addEventListener('blur', () => setTimeout(close, 150));
  }

  async function suggest() {
    const q = address.value.trim();
    const seq = ++state.seq;
    if (q.length < MIN_CHARS) {
      close();
      return;
    }
    let places;
    try {
      places = await api('GET', '/geocode' + query({ q }));
    } catch (e) {
      if (seq === state.seq) {
        close();
        status(nodes.hint, e.status === 503 || e.status === 502
          ? 'Address suggestions are not available right now: enter the postal code.' : e.message, 'info');
      }
      return;
    }
    if (seq !== state.seq || document.activeElement !== address) return;
    status(nodes.hint, '');
    state.options = places || [];
    state.active = -1;
    list.replaceChildren(...state.options.map((p, i) => el('li', {
      role: 'option', id: `${list.id}-${i}`, class: 'suggestion', 'aria-selected': 'false',
      onmousedown: (ev) => { ev.preventDefault(); pick(i); },
    }, p.label)));
    if (!state.options.length) {
      list.replaceChildren(el('li', { class: 'suggestion none', role: 'option', 'aria-disabled': 'true', text: 'No matching address; enter the postal code below.' }));
    }
    list.hidden = false;
    address.setAttribute('aria-expanded', 'true');
  }

  function close() {
    list.hidden = true;
    address.setAttribute('aria-expanded', 'false');
    address.removeAttribute('aria-activedescendant');
    state.active = -1;
  }

  function highlight(i) {
    state.active = i;
    [...list.children].forEach((li, k) => li.setAttribute('aria-selected', k === i ? 'true' : 'false'));
    if (i >= 0) address.setAttribute('aria-activedescendant', `${list.id}-${i}`);
    else address.removeAttribute('aria-activedescendant');
  }

  function onAddressKey(ev) {
    const open = !list.hidden && state.options.length;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      if (!open) return;
      ev.preventDefault();
      const n = state.options.length;
      highlight(ev.key === 'ArrowDown' ? (state.active + 1) % n : (state.active - 1 + n) % n);
    } else if (ev.key === 'Enter' && open && state.active >= 0) {
      ev.preventDefault();
      pick(state.active);
    } else if (ev.key === 'Escape' && !list.hidden) {
      ev.preventDefault();
      close();
    }
  }

  function pick(i) {
    const p = state.options[i];
    if (!p) return;
    address.value = p.label;
    if (p.postal_code) postal.value = p.postal_code;
    close();
    setPoint(p.lat, p.lon, 'address');
    onChange();
  }

  // ---- the map and its pin ----
  async function showMap() {
    if (!catalog.tiles) {
      mapBox.hidden = true;
      status(mapNote, 'No map here: the postal code places the property' +
        (catalog.geocoder ? ', or pick the address from the suggestions.' : '.'), 'info');
      return;
    }
    try {
      state.L = await loadLeaflet();
    } catch (e) {
      mapBox.hidden = true;
      status(mapNote, `No map: ${e.message}. The postal code places the property.`, 'info');
      return;
    }
    mapBox.hidden = false;
    status(mapNote, 'Drag the pin (or click the map) to the exact spot of the property.', 'info');
    state.map = tileMap(state.L, mapBox, catalog.tiles, countryView(catalog.country));
    state.map.on('click', (ev) => {
      setPoint(ev.latlng.lat, ev.latlng.lng, 'pin');
      onChange();
    });
    if (state.lat !== null) setPoint(state.lat, state.lon, state.source);
  }

  function setPoint(lat, lon, source) {
    state.lat = lat;
    state.lon = lon;
    state.source = lat === null ? null : source;
    if (!state.map) return;
    if (lat === null) {
      if (state.pin) state.pin.remove();
      state.pin = null;
      return;
    }
    const L = state.L;
    if (!state.pin) {
      state.pin = L.marker([lat, lon], { draggable: true, keyboard: true, title: 'The property: drag to move, or use the arrow keys', alt: 'Property pin' })
        .addTo(state.map);
      state.pin.on('dragend', () => {
        const p = state.pin.getLatLng();
        state.lat = p.lat;
        state.lon = p.lng;
        state.source = 'pin';
        onChange();
      });
      const icon = state.pin.getElement();
      if (icon) icon.addEventListener('keydown', nudge);
    } else {
      state.pin.setLatLng([lat, lon]);
    }
    state.map.setView([lat, lon], Math.max(state.map.getZoom(), 16));
  }

  // Arrow keys on the focused pin move it a few pixels.
  function nudge(ev) {
    const d = { ArrowLeft: [-8, 0], ArrowRight: [8, 0], ArrowUp: [0, -8], ArrowDown: [0, 8] }[ev.key];
    if (!d || !state.pin) return;
    ev.preventDefault();
    const pt = state.map.latLngToContainerPoint(state.pin.getLatLng()).add(d);
    const ll = state.map.containerPointToLatLng(pt);
    state.pin.setLatLng(ll);
    state.lat = ll.lat;
    state.lon = ll.lng;
    state.source = 'pin';
    onChange();
  }

  // ---- the service area ----
  // Checks the place; resolves to true when someone serves it. A postal code
  // that is not one of the business's country is marked on its field.
  async function checkArea() {
    const code = postal.value.trim();
    const seq = ++state.areaSeq;
    if (!code && state.lat === null) {
      status(area, '');
      return true;
    }
    let r;
    try {
      r = await api('GET', '/coverage' + query({ postal_code: code, lat: state.lat, lon: state.lon }));
    } catch (e) {
      if (seq !== state.areaSeq) return true;
      if (e.field) throw e;
      status(area, '');
      return true;
    }
    if (seq !== state.areaSeq) return true;
    if (r.covered) status(area, '');
    else status(area, r.message || 'Sorry, this property is outside our service area.', 'warn');
    return r.covered;
  }

  showMap();
  return {
    checkArea,
    // The property fields for /availability and POST /bookings.
    point() {
      return state.lat === null ? {} : { lat: Number(state.lat.toFixed(6)), lon: Number(state.lon.toFixed(6)) };
    },
  };
}
