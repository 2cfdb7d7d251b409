// What the sales-page rules look at on one screen, measured on arrival (before the buyer acts):
// the input fields and which boxes are already ticked, a traceability (可回溯) prompt and its
// buttons, and how the exclusion clauses (责任免除) are styled next to the body text.
// Measurements only; the thresholds are the gate's.
({tracePattern, exclusionsSelector, exclusionsPattern}) => {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const shown = (el) => {
    if (!el || !el.isConnected) return false;
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility !== 'visible' || parseFloat(s.opacity) === 0) {
      return false;
    }
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const labelOf = (el) => {
    const fromLabels = el.labels && el.labels.length ? el.labels[0].innerText : '';
    const wrap = el.closest('label');
    return norm(fromLabels || el.getAttribute('aria-label') || (wrap && wrap.innerText)
      || el.getAttribute('name') || el.id || '').slice(0, 80);
  };

  // Fields and pre-ticked boxes. A custom-styled box hides the <input> and shows its label:
  // either being shown counts. <select> is reported apart: on product pages it picks a plan.
  const TEXTLIKE = ['text', 'tel', 'email', 'number', 'date', 'password', 'search', 'url',
    'datetime-local', 'month', 'week', 'time', 'file'];
  const fields = {text: 0, checkbox: 0, radio: 0, select: 0};
  const preselected = [];
  const controls = document.querySelectorAll(
    'input, textarea, select, [role=checkbox], [role=radio], [role=switch]');
  for (const el of controls) {
    const tag = el.tagName.toLowerCase();
    const type = (el.getAttribute('type') || 'text').toLowerCase();
    if (tag === 'input' && ['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
    let kind;
    if (tag === 'input') kind = ['checkbox', 'radio'].includes(type) ? type
      : (TEXTLIKE.includes(type) ? 'text' : 'other');
    else if (tag === 'textarea') kind = 'text';
    else if (tag === 'select') kind = 'select';
    else kind = el.getAttribute('role') === 'radio' ? 'radio' : 'checkbox';
    const visible = shown(el) || Array.from(el.labels || []).some(shown);
    if (visible && kind in fields) fields[kind] += 1;
    const ticked = tag === 'input' ? (kind === 'checkbox' || kind === 'radio') && el.checked
      : tag !== 'select' && tag !== 'textarea' && el.getAttribute('aria-checked') === 'true';
    if (ticked) {
      preselected.push({kind, name: el.getAttribute('name') || el.id || '', id: el.id || '',
        label: labelOf(el), visible});
    }
  }

  // The traceability prompt: its wording anywhere in the rendered text, and the buttons shown.
  let prompt = null;
  const text = document.body ? document.body.innerText : '';
  const traceMatch = tracePattern ? text.match(new RegExp(tracePattern)) : null;
  if (traceMatch) {
    const buttons = Array.from(document.querySelectorAll(
      'button, input[type=submit], input[type=button], [role=button], a.btn'))
      .filter(shown).map((b) => norm(b.innerText || b.value || '')).filter(Boolean).slice(0, 10);
    prompt = {matched: traceMatch[0], buttons};
  }
  return {fields, preselected: preselected.slice(0, 50), prompt,
    exclusions: measureExclusions(exclusionsSelector, exclusionsPattern, shown, norm)};

  function measureExclusions(selector, pattern, shown, norm) {
    const region = findRegion(selector, pattern, shown);
    if (!region.length) return null;
    const runs = [];
    for (const el of region) for (const run of textRuns(el, shown)) runs.push(run);
    if (!runs.length) return null;
    const inRegion = (node) => region.some((el) => el.contains(node));
    const body = dominantStyle(Array.from(textRuns(document.body, shown, inRegion)));
    return {selector: selector || null, runs: runs.slice(0, 60), body,
      text: norm(region.map((el) => el.innerText).join(' ')).slice(0, 300)};
  }

  // The configured element; else the element whose own text says 责任免除 (a heading takes
  // the siblings after it, up to the next heading of the same or a higher level).
  function findRegion(selector, pattern, shown) {
    if (selector) return Array.from(document.querySelectorAll(selector)).filter(shown);
    const re = new RegExp(pattern);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const el = node.parentElement;
      if (!re.test(node.textContent) || !shown(el)) continue;
      const heading = el.closest('h1, h2, h3, h4, h5, h6');
      if (!heading) return [el.closest('p, li, section, div, td, dd') || el];
      const level = Number(heading.tagName[1]);
      const region = [heading];
      for (let sib = heading.nextElementSibling; sib; sib = sib.nextElementSibling) {
        if (/^H[1-6]$/.test(sib.tagName) && Number(sib.tagName[1]) <= level) break;
        region.push(sib);
      }
      return region;
    }
    return [];
  }

  function* textRuns(root, shown, skip) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const text = norm(node.textContent);
      const el = node.parentElement;
      if (!text || !el || (skip && skip(node)) || !shown(el)) continue;
      if (el.closest('script, style, noscript, template')) continue;
      const s = getComputedStyle(el);
      const color = rgba(s.color);
      const bg = background(el);
      yield {text: text.slice(0, 60), chars: text.length, weight: Number(s.fontWeight) || 400,
        font_px: parseFloat(s.fontSize), color: color.slice(0, 3), background: bg,
        contrast: contrast(color, bg)};
    }
  }

  // The body text's style: the size, colour and weight carried by most characters.
  function dominantStyle(runs) {
    const mode = (key) => {
      const count = new Map();
      for (const r of runs) {
        const k = JSON.stringify(r[key]);
        count.set(k, (count.get(k) || 0) + r.chars);
      }
      let best = null;
      for (const [k, n] of count) if (!best || n > best[1]) best = [k, n];
      return best ? JSON.parse(best[0]) : null;
    };
    return {font_px: mode('font_px'), color: mode('color'), weight: mode('weight'),
      chars: runs.reduce((n, r) => n + r.chars, 0)};
  }

  function rgba(value) {
    const m = (value || '').match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 1];
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }

  // The first opaque background colour up the tree (white when none: the canvas default).
  function background(el) {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] >= 0.99) return c.slice(0, 3);
    }
    return [255, 255, 255];
  }

  function contrast(fg, bg) {
    const lum = (c) => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const alpha = fg[3];
    const mixed = fg.slice(0, 3).map((v, i) => v * alpha + bg[i] * (1 - alpha));
    const [l1, l2] = [lum(mixed), lum(bg)].sort((a, b) => b - a);
    return Math.round(((l1 + 0.05) / (l2 + 0.05)) * 100) / 100;
  }
}
