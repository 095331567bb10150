// crud.js — one list-and-editor block for an admin resource (skills,
// services, packages, staff, zones, calendars): a table of rows with Edit,
// an Add button, and a form that creates (POST), updates (PUT) or deletes.

import { el, status, busy } from '../api.js';
import { save } from './form.js';

// OPTS: ctx, name ('services'), title, noun ('service'), columns
// [[header, item => text|Node]], editor(item|null) → {node, read(), send?,
// submitText?} (send(body) replaces the POST/PUT; its answer's `message` is
// shown and, without an `id`, the form stays as it is),
// rowActions(item) → [Node] (optional), onChange() after any write.
// Returns {node, reload()}.
export function crudBlock(opts) {
  const { ctx, name, title, noun } = opts;
  const listStatus = el('p', { class: 'status', role: 'status', 'aria-live': 'polite', hidden: true });
  const tableWrap = el('div', { class: 'table-wrap' });
  const editorWrap = el('div', { id: `${name}-editor` });
  const add = el('button', { type: 'button', class: 'primary', id: `${name}-add`, text: `Add ${noun}` });
  const node = el('section', { class: 'card', id: `${name}-block`, 'aria-labelledby': `${name}-title` },
    el('h2', { id: `${name}-title`, text: title }),
    opts.intro ? el('p', { class: 'hint', text: opts.intro }) : null,
    listStatus, tableWrap,
    el('div', { class: 'actions' }, add),
    editorWrap);
  add.addEventListener('click', () => edit(null));

  async function reload() {
    let items;
    try {
      items = await ctx.items(name, true);
    } catch (e) {
      status(listStatus, `Could not load ${title.toLowerCase()}: ${e.message}`, 'error');
      return [];
    }
    if (!items.length) {
      tableWrap.replaceChildren(el('p', { class: 'muted', text: `No ${noun}s yet.` }));
      return items;
    }
    const table = el('table', { id: `${name}-table` },
      el('thead', {}, el('tr', {}, opts.columns.map(([h]) => el('th', { scope: 'col', text: h })), el('th', { scope: 'col', text: 'Actions' }))),
      el('tbody', {}, items.map((it) => el('tr', { 'data-id': String(it.id) },
        opts.columns.map(([, f]) => {
          const v = f(it);
          return el('td', {}, v instanceof Node ? v : String(v ?? '—'));
        }),
        el('td', {}, el('div', { class: 'inline' },
          el('button', { type: 'button', class: 'small', 'aria-label': `Edit ${it.name || noun}`, onclick: () => edit(it), text: 'Edit' }),
          opts.rowActions ? opts.rowActions(it, listStatus) : null))))));
    tableWrap.replaceChildren(table);
    return items;
  }

  async function edit(item) {
    const formStatus = el('p', { class: 'status', id: `${name}-form-status`, role: 'status', 'aria-live': 'polite', hidden: true });
    let ed;
    try {
      ed = await opts.editor(item);
    } catch (e) {
      status(listStatus, e.message, 'error');
      return;
    }
    const submit = el('button', { type: 'submit', class: 'primary', id: `${name}-save`, text: item ? 'Save changes' : (ed.submitText || `Create ${noun}`) });
    const del = item ? el('button', { type: 'button', class: 'danger', id: `${name}-delete`, text: `Delete ${noun}` }) : null;
    const heading = el('h3', { tabindex: '-1', text: item ? `Edit ${noun}: ${item.name || item.id}` : `New ${noun}` });
    const form = el('form', { class: 'card', id: `${name}-form`, novalidate: true },
      heading, ed.node, formStatus,
      el('div', { class: 'actions' }, submit,
        el('button', { type: 'button', onclick: () => editorWrap.replaceChildren(), text: 'Close' }), del));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const saved = item ? `${title.replace(/s$/, '')} saved.` : `${noun[0].toUpperCase() + noun.slice(1)} created.`;
      const res = await save(form, formStatus, submit, () => ed.read(),
        ed.send || ((body) => (item ? ctx.call('PUT', `/${name}/${encodeURIComponent(item.id)}`, { body })
          : ctx.call('POST', `/${name}`, { body }))),
        (answer) => (answer && answer.message) || saved);
      if (res) {
        ctx.forget('/readiness');
        if (!item && res.id !== undefined) item = res;
        await reload();
        if (opts.onChange) await opts.onChange();
        if (res.id !== undefined) {
          form.dataset.id = String(res.id);
          heading.textContent = `Edit ${noun}: ${res.name || (item && item.name) || ''}`;
        }
      }
    });
    if (del) {
      del.addEventListener('click', async () => {
        if (del.dataset.confirm !== 'yes') {
          del.dataset.confirm = 'yes';
          del.textContent = `Really delete? Click again`;
          return;
        }
        status(formStatus, 'Deleting…', 'busy');
        try {
          await busy(del, 'Deleting…', ctx.call('DELETE', `/${name}/${encodeURIComponent(item.id)}`));
        } catch (e) {
          status(formStatus, `Not deleted: ${e.message}`, 'error');
          return;
        }
        editorWrap.replaceChildren();
        status(listStatus, `${item.name || noun} deleted.`, 'ok');
        ctx.forget('/readiness');
        await reload();
        if (opts.onChange) await opts.onChange();
      });
    }
    editorWrap.replaceChildren(form);
    heading.focus();
  }

  return { node, reload, edit };
}
