// Form-error measurement: which fields a form has, whether each is marked invalid, what error
// text a screen reader would announce for it, where focus is, and the error summary.
// args: {form: string|null (selector; default every form control of the document)}
// A radio group counts as one field (its name). Pure measurement: nothing is judged here.
(args) => {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const shown = (el) => {
    if (!el || el.nodeType !== 1) return false;
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility !== 'visible' || parseFloat(s.opacity) === 0) return false;
    return el.getClientRects().length > 0 && norm(el.textContent).length > 0;
  };
  const byIds = (ids) => norm(ids).split(' ').filter(Boolean)
    .map((id) => document.getElementById(id)).filter(Boolean);
  const describe = (el) => {
    if (!el || el.nodeType !== 1) return null;
    if (el.id) return el.tagName.toLowerCase() + '#' + el.id;
    const name = el.getAttribute('name');
    return el.tagName.toLowerCase() + (name ? `[name="${name}"]` : '') +
      (el.type === 'radio' || el.type === 'checkbox' ? `[value="${el.value}"]` : '');
  };
  const deepActive = () => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a;
  };
  const labelsOf = (el) => {
    const out = Array.from(el.labels || []);
    byIds(el.getAttribute('aria-labelledby')).forEach((n) => out.push(n));
    const group = el.closest('fieldset');
    if (group && group.querySelector('legend')) out.push(group.querySelector('legend'));
    return out;
  };
  const root = args.form ? document.querySelector(args.form) : document;
  if (!root) return { form_found: false, fields: [] };
  const controls = Array.from(root.querySelectorAll('input, select, textarea'))
    .filter((el) => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type) && !el.disabled);
  const groups = new Map();
  for (const el of controls) {
    const key = el.type === 'radio' ? 'radio:' + el.name : 'el:' + (el.name || el.id || describe(el));
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(el);
  }
  const fields = [];
  for (const members of groups.values()) {
    const first = members[0];
    const kind = first.type === 'radio' ? 'radio-group' : (first.tagName === 'INPUT' ? first.type : first.tagName.toLowerCase());
    const container = first.closest('fieldset, [role=radiogroup], [role=group]');
    const carriers = members.concat(container ? [container] : []);
    const empty = kind === 'radio-group' ? !members.some((m) => m.checked)
      : kind === 'checkbox' ? !first.checked : !norm(first.value);
    const ariaInvalid = carriers.some((c) => c.getAttribute('aria-invalid') === 'true');
    const messages = [];
    for (const c of carriers) {
      for (const attr of ['aria-errormessage', 'aria-describedby']) {
        for (const n of byIds(c.getAttribute(attr))) {
          messages.push({ source: attr, of: describe(c), text: norm(n.textContent), visible: shown(n) });
        }
      }
    }
    const labels = members.flatMap(labelsOf).filter((n, i, a) => a.indexOf(n) === i);
    fields.push({
      name: first.name || first.id || describe(first), kind, empty,
      required: carriers.some((c) => c.required || c.getAttribute('aria-required') === 'true'),
      aria_invalid: ariaInvalid,
      messages,
      label: norm(labels.map((n) => n.textContent).join(' ')).slice(0, 300),
      elements: members.map(describe),
      first_element: describe(first),
    });
  }
  const summaries = Array.from(document.querySelectorAll('[role=alert], [aria-live=assertive]'))
    .map((el) => ({ selector: describe(el) || el.tagName.toLowerCase(), role: el.getAttribute('role'),
      live: el.getAttribute('aria-live'), text: norm(el.textContent).slice(0, 500), visible: shown(el) }));
  const active = deepActive();
  const activeGroup = active ? fields.find((f) => f.elements.includes(describe(active))) : null;
  const container = active && active.matches && active.matches('fieldset, [role=radiogroup], [role=group]')
    ? fields.find((f) => f.kind === 'radio-group' && active.contains(document.querySelector(`[name="${CSS.escape(f.name)}"]`)))
    : null;
  return {
    form_found: true,
    fields,
    summaries,
    focus: active && active !== document.body ? describe(active) : null,
    focus_field: (activeGroup || container || {}).name || null,
    scroll: [window.scrollX, window.scrollY],
    url_path: location.pathname,
  };
}
