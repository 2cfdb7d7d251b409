// What the disclosure rules look at on one screen, measured on arrival (before the buyer acts),
// next to regulation.js: the service phone and online service entry (监管办法 art. 13), the key
// facts shown before payment (监管办法 art. 14, 销售办法 art. 25), who insures and who sells
// (监管办法 art. 15, 销售办法 art. 24), the surrender terms (销售办法 art. 40), automatic renewal
// and its box (监管办法 art. 21), the health declaration's catch-all questions (销售办法 art. 27)
// and the style of 「保单利益具有不确定性」 next to the product name (监管办法 art. 14).
// Text is what the buyer can see: rendered text (innerText: nothing display:none, nothing in a
// closed <details>) plus the alt text / aria-label of visible images. Measurements only.
(p) => {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const re = (source) => (source ? new RegExp(source, 'i') : null);
  const shown = (el) => {
    if (!el || !el.isConnected) return false;
    // a closed <details> hides its content with content-visibility, which only this sees
    if (el.checkVisibility && !el.checkVisibility({contentVisibilityAuto: false})) return false;
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility !== 'visible' || parseFloat(s.opacity) === 0) {
      return false;
    }
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const first = (pattern, text) => {
    const m = pattern ? text.match(re(pattern)) : null;
    return m ? norm(m[0]).slice(0, 120) : null;
  };
  // the sentence around a match: what a reader of the verdict needs to see
  const around = (text, m) => {
    const start = Math.max(text.lastIndexOf('\n', m.index), 0);
    const end = text.indexOf('\n', m.index + m[0].length);
    return norm(text.slice(start, end < 0 ? undefined : end)).slice(0, 160);
  };
  const body = document.body;
  const text = body ? body.innerText : '';
  const images = Array.from(document.querySelectorAll('img, [role=img]')).filter(shown);
  const imageText = images.map((el) => norm(el.getAttribute('alt') || el.getAttribute('aria-label')
    || el.getAttribute('title') || '')).filter(Boolean);
  const unlabelled = images.filter((el) => !norm(el.getAttribute('alt')
    || el.getAttribute('aria-label') || el.getAttribute('title') || '')).length;

  // 监管办法 art. 13: the phone in text, else in an image's alt text; an online service entry
  let phone = null;
  const inText = first(p.service_phone, text);
  if (inText) phone = {text: inText, via: 'text'};
  else {
    const alt = imageText.map((t) => first(p.service_phone, t)).find(Boolean);
    if (alt) phone = {text: alt, via: 'alt'};
  }
  const online = Array.from(document.querySelectorAll(
    'a[href], button, [role=button], [role=link], input[type=button], input[type=submit]'))
    .filter(shown).map((el) => ({tag: el.tagName.toLowerCase(),
      text: norm(el.innerText || el.value || el.getAttribute('aria-label') || '')}))
    .find((e) => e.text && re(p.online_service).test(e.text)) || null;

  // the product name: its elements (product_name_selector, filtered by product_name) and size
  const nameEls = Array.from(document.querySelectorAll(p.product_name_selector)).filter(shown)
    .filter((el) => !p.product_name || re(p.product_name).test(el.innerText));
  const nameEl = nameEls.reduce((a, b) => (!a || px(b) > px(a) ? b : a), null);
  const heading = nameEl ? norm(nameEl.innerText).slice(0, 120) : null;

  const facts = {product_name: p.product_name ? first(p.product_name, text) : null,
    filing_number: first(p.filing_number, text), premium: first(p.premium, text),
    waiting_period: first(p.waiting_period, text), cooling_off: first(p.cooling_off, text),
    insurer: first(p.insurer, text) || imageText.map((t) => first(p.insurer, t)).find(Boolean)
      || null,
    seller: first(p.seller, text) || imageText.map((t) => first(p.seller, t)).find(Boolean)
      || null};

  // 销售办法 art. 40: the smallest shown element saying 退保说明 / 退保条件, with what follows a
  // heading (its section)
  let surrenderTerms = null;
  const termsRe = re(p.surrender_terms);
  const holder = deepest(termsRe);
  if (holder) {
    const heading = holder.closest('h1, h2, h3, h4, h5, h6, dt, summary, legend');
    const block = heading ? (heading.closest('section, details, fieldset, dl, article')
      || heading.parentElement) : (holder.closest('p, li, section, div, td, dd') || holder);
    surrenderTerms = norm(block.innerText).slice(0, 400);
  }

  // 监管办法 art. 21: the automatic-renewal boxes (visible or not) and what the page says
  const controls = [];
  for (const el of document.querySelectorAll(
    'input[type=checkbox], input[type=radio], [role=checkbox], [role=switch]')) {
    const label = labelText(el);
    if (!label || !re(p.renewal).test(label)) continue;
    const checked = el.tagName === 'INPUT' ? el.checked : el.getAttribute('aria-checked') === 'true';
    const visible = shown(el) || Array.from(el.labels || []).some(shown);
    const collapsed = !!el.closest('details:not([open]), [hidden], [aria-hidden=true]')
      || hiddenAncestor(el);
    controls.push({label: label.slice(0, 120), checked,
      hidden: visible ? null : (collapsed ? 'collapsed' : 'not shown')});
  }
  const withoutNo = p.no_renewal ? text.replace(new RegExp(p.no_renewal, 'gi'), ' ') : text;
  const auto = withoutNo.match(re(p.renewal));
  const renewal = {controls: controls.slice(0, 20), says_auto: auto ? around(withoutNo, auto) : null,
    says_none: first(p.no_renewal, text)};

  // 销售办法 art. 27: a health declaration (its wording and yes/no answers) and its catch-alls
  const radios = new Set(Array.from(document.querySelectorAll('input[type=radio], [role=radio]'))
    .map((el) => el.getAttribute('name') || el.id));
  const declaration = first(p.health_declaration, text);
  const catchAll = [];
  if (declaration) {
    const all = new RegExp(p.catch_all, 'gi');
    for (const m of text.matchAll(all)) {
      const line = around(text, m);
      if (!catchAll.includes(line)) catchAll.push(line);
    }
  }
  const health = {declaration, questions: radios.size, catch_all: catchAll.slice(0, 20)};

  // 监管办法 art. 14: 「保单利益具有不确定性」: the weight and size of every run saying it
  const uncertainty = [];
  const unRe = re(p.uncertainty);
  for (const el of deepestAll(unRe)) {
    for (const run of runs(el)) uncertainty.push(run);
  }

  return {phone, unlabelled_images: unlabelled, online_service: online, facts,
    product_name: nameEl ? {text: heading, font_px: px(nameEl),
      weight: Number(getComputedStyle(nameEl).fontWeight) || 400} : null,
    surrender_terms: surrenderTerms, renewal, health,
    uncertainty: uncertainty.slice(0, 20)};

  function px(el) { return parseFloat(getComputedStyle(el).fontSize) || 0; }

  function labelText(el) {
    const parts = [];
    for (const l of el.labels || []) parts.push(l.textContent);
    const wrap = el.closest('label');
    if (wrap) parts.push(wrap.textContent);
    const by = el.getAttribute('aria-labelledby');
    if (by) for (const id of by.split(/\s+/)) {
      const n = document.getElementById(id);
      if (n) parts.push(n.textContent);
    }
    parts.push(el.getAttribute('aria-label') || '', el.getAttribute('title') || '');
    if (!norm(parts.join(''))) parts.push(el.parentElement ? el.parentElement.textContent : '');
    return norm(parts.join(' '));
  }

  function hiddenAncestor(el) {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.maxHeight) === 0
        && s.overflow === 'hidden') return true;
    }
    return false;
  }

  // the smallest shown elements whose rendered text matches (none of their children does)
  function deepestAll(pattern) {
    if (!pattern || !body || !pattern.test(text)) return [];
    const found = [];
    const visit = (el) => {
      if (!shown(el) && el !== body) return;
      const kids = Array.from(el.children).filter((c) => pattern.test(c.innerText || ''));
      if (kids.length) kids.forEach(visit);
      else if (el !== body) found.push(el);
    };
    visit(body);
    return found.slice(0, 10);
  }

  function deepest(pattern) { return deepestAll(pattern)[0] || null; }

  function* runs(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const t = norm(node.textContent);
      const el = node.parentElement;
      if (!t || !el || !shown(el)) continue;
      const s = getComputedStyle(el);
      yield {text: t.slice(0, 60), weight: Number(s.fontWeight) || 400,
        font_px: parseFloat(s.fontSize)};
    }
  }
}
