// What screen is the buyer looking at? Route (no query), hash route (#/insure, #!/pay: the path
// part only; a plain anchor such as #clauses is not a route), main heading, blocking dialog,
// data-flow-step marker. Navigation events are deliberately not used: pushState, replaceState
// and hash changes fire them without the buyer seeing a new screen.
() => {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const shown = (el) => {
    if (!el) return false;
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility !== 'visible') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const label = (el) => {
    const by = el.getAttribute('aria-labelledby');
    const named = by ? by.split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean)
      .map((n) => n.textContent).join(' ') : '';
    const heading = el.querySelector('h1, h2, h3, [role=heading]');
    return norm(el.getAttribute('aria-label') || named || (heading && heading.textContent) || el.id || '')
      .slice(0, 80);
  };
  const modalDialogs = Array.from(document.querySelectorAll(
    'dialog[open], [role=dialog][aria-modal=true], [role=alertdialog][aria-modal=true]'))
    .filter((el) => shown(el) && (el.tagName !== 'DIALOG' || el.matches(':modal')
      || el.getAttribute('aria-modal') === 'true'));
  const dialog = modalDialogs.length ? modalDialogs[modalDialogs.length - 1] : null;
  const markerEl = Array.from(document.querySelectorAll('[data-flow-step]'))
    .find((el) => shown(el) && el !== dialog && !(dialog && dialog.contains(el)));
  const h1 = Array.from(document.querySelectorAll('h1')).find(shown);
  const hash = location.hash.match(/^#!?(\/[^?]*)/);
  return {
    url_path: location.pathname,
    hash_route: hash ? '#' + (hash[1].replace(/\/+$/, '') || '/') : null,
    heading: h1 ? norm(h1.textContent).slice(0, 120) : null,
    flow_marker: markerEl ? markerEl.getAttribute('data-flow-step') : null,
    dialog: dialog ? (label(dialog) || 'dialog') : null,
    dialog_marker: dialog && dialog.hasAttribute('data-flow-step') ? dialog.getAttribute('data-flow-step') : null,
  };
}
