// First-screen measurement of a notice: pure measurement, no thresholds, no scrolling.
// Evaluated once by harness_browser/first_screen.py as `page.evaluate(source, args)`.
// args: {selector: string|null, pattern: string|null, flags: string, maxCandidates: number}
// Searches the document, open shadow roots and same-origin iframes; reports, for each notice
// candidate, its text lines (Range.getClientRects over text nodes) in top-viewport coordinates,
// what hit-testing finds at several points of each line, and the styles a person's eye depends on.
async (args) => {
  const topWin = window;
  const startScroll = [topWin.scrollX, topWin.scrollY];
  if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
  const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE', 'META', 'LINK']);
  const REPLACED = new Set(['IMG', 'VIDEO', 'CANVAS', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'svg',
    'INPUT', 'TEXTAREA', 'SELECT', 'PICTURE']);
  const cs = (el) => el.ownerDocument.defaultView.getComputedStyle(el);
  const isEl = (n) => n && n.nodeType === 1;
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const re = args.pattern ? new RegExp(args.pattern, args.flags || '') : null;

  // ---- tree walking: documents, open shadow roots, same-origin frames -------------------------
  const roots = [];
  let crossOriginFrames = 0;
  const collectRoots = (root) => {
    roots.push(root);
    const walker = (root.ownerDocument || root).createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
    for (let el = walker.nextNode(); el; el = walker.nextNode()) {
      if (el.shadowRoot) collectRoots(el.shadowRoot);
      if (el.tagName === 'IFRAME' || el.tagName === 'FRAME') {
        let doc = null;
        try { doc = el.contentDocument; } catch (e) { doc = null; }
        if (doc && doc.documentElement) collectRoots(doc); else crossOriginFrames += 1;
      }
    }
  };
  collectRoots(document);
  const elementsOf = (root) => {
    const out = [];
    const walker = (root.ownerDocument || root).createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
    for (let el = walker.nextNode(); el; el = walker.nextNode()) out.push(el);
    return out;
  };
  // Parent in the flattened tree, crossing shadow hosts and frame elements.
  const flatParent = (node) => {
    if (node.assignedSlot) return node.assignedSlot;
    const p = node.parentNode;
    if (!p) return null;
    if (p.nodeType === 11) return p.host || null;
    if (p.nodeType === 9) return p.defaultView && p.defaultView !== topWin ? p.defaultView.frameElement : null;
    return p;
  };
  const ancestorsOrSelf = (el) => { const out = []; for (let n = el; n; n = flatParent(n)) if (isEl(n)) out.push(n); return out; };
  const flatContains = (outer, inner) => { for (let n = inner; n; n = flatParent(n)) if (n === outer) return true; return false; };
  const describe = (el) => {
    if (!isEl(el)) return null;
    const parts = [];
    for (let n = el; isEl(n) && parts.length < 4; n = n.parentNode && n.parentNode.nodeType === 1 ? n.parentNode : null) {
      if (parts.length && (n.tagName === 'BODY' || n.tagName === 'HTML')) break;
      const s = n.tagName.toLowerCase();
      if (n.id) { parts.unshift(s + '#' + CSS.escape(n.id)); break; }
      const cls = Array.from(n.classList || []).slice(0, 2).map((c) => '.' + CSS.escape(c)).join('');
      parts.unshift(s + cls);
    }
    const root = el.getRootNode();
    const prefix = root.nodeType === 11 ? describe(root.host) + ' >>> ' : '';
    return prefix + parts.join(' > ');
  };
  const deepText = (el) => {
    let t = '';
    const visit = (n) => {
      if (n.nodeType === 3) { t += n.data; return; }
      if (!isEl(n) || SKIP.has(n.tagName)) return;
      if (n.shadowRoot) n.shadowRoot.childNodes.forEach(visit);
      n.childNodes.forEach(visit);
    };
    visit(el);
    return norm(t);
  };
  // Text of an element in its own tree scope, without scripts and styles.
  const lightText = (el) => {
    let t = '';
    const visit = (n) => {
      if (n.nodeType === 3) { t += n.data; return; }
      if (isEl(n) && !SKIP.has(n.tagName)) n.childNodes.forEach(visit);
    };
    visit(el);
    return norm(t);
  };
  const textNodesOf = (el) => {
    const out = [];
    const visit = (n) => {
      if (n.nodeType === 3) { if (n.data.trim()) out.push(n); return; }
      if (!isEl(n) || SKIP.has(n.tagName)) return;
      if (n.shadowRoot) n.shadowRoot.childNodes.forEach(visit);
      n.childNodes.forEach(visit);
    };
    visit(el);
    return out;
  };

  // ---- locating the notice -------------------------------------------------------------------
  const climbToBlock = (el) => {
    let n = el;
    while (n.parentElement && cs(n).display === 'inline' && n.parentElement.tagName !== 'BODY') n = n.parentElement;
    return n;
  };
  const locate = () => {
    const all = roots.flatMap(elementsOf).filter((el) => !SKIP.has(el.tagName));
    if (args.selector) {
      const matched = roots.flatMap((r) => Array.from(r.querySelectorAll(args.selector)));
      const withText = re ? matched.filter((el) => re.test(deepText(el))) : matched;
      return { candidates: withText, selectorMatches: matched.length };
    }
    const hits = all.filter((el) => re.test(lightText(el)));
    const deepest = hits.filter((el) => !hits.some((o) => o !== el && flatContains(el, o)));
    const blocks = [];
    deepest.map(climbToBlock).forEach((el) => { if (!blocks.includes(el)) blocks.push(el); });
    return { candidates: blocks, selectorMatches: null };
  };
  const imageMatches = () => {
    if (!re) return [];
    return roots.flatMap((r) => Array.from(r.querySelectorAll('img[alt], input[type=image][alt], [role=img][aria-label]')))
      .filter((el) => re.test(norm(el.getAttribute('alt') || el.getAttribute('aria-label'))))
      .map((el) => ({ selector: describe(el), alt: norm(el.getAttribute('alt') || el.getAttribute('aria-label')) }));
  };

  // ---- geometry: frames and the visible part of the top viewport -----------------------------
  const vv = topWin.visualViewport;
  const topView = vv
    ? { l: vv.offsetLeft, t: vv.offsetTop, r: vv.offsetLeft + vv.width, b: vv.offsetTop + vv.height }
    : { l: 0, t: 0, r: document.documentElement.clientWidth, b: document.documentElement.clientHeight };
  const intersect = (a, b) => ({ l: Math.max(a.l, b.l), t: Math.max(a.t, b.t), r: Math.min(a.r, b.r), b: Math.min(a.b, b.b) });
  const docInfo = (doc) => {
    const win = doc.defaultView;
    if (win === topWin) return { offX: 0, offY: 0, view: topView, depth: 0 };
    const fe = win.frameElement;
    const parent = docInfo(fe.ownerDocument);
    const r = fe.getBoundingClientRect();
    const s = cs(fe);
    const offX = parent.offX + r.left + fe.clientLeft + parseFloat(s.paddingLeft);
    const offY = parent.offY + r.top + fe.clientTop + parseFloat(s.paddingTop);
    const box = { l: offX, t: offY, r: offX + win.innerWidth, b: offY + win.innerHeight };
    const inner = { l: offX, t: offY, r: offX + doc.documentElement.clientWidth, b: offY + doc.documentElement.clientHeight };
    return { offX, offY, view: intersect(parent.view, intersect(box, inner)), depth: parent.depth + 1 };
  };
  // Hit-test scopes from the innermost tree scope out to the top document.
  const scopesOf = (el) => {
    const out = [];
    let target = el;
    for (;;) {
      const root = target.getRootNode();
      const info = docInfo(root.nodeType === 9 ? root : root.host.ownerDocument);
      out.push({ root, target, offX: info.offX, offY: info.offY });
      if (root.nodeType === 11) { target = root.host; continue; }
      if (root.defaultView === topWin) return out;
      target = root.defaultView.frameElement;
    }
  };

  // ---- paint: does an element above the notice actually paint something at a point? ---------
  // opacity and filter: opacity() of the element and every ancestor, multiplied.
  const filterOpacity = (filter) => {
    const m = /opacity\(\s*([\d.]+)(%?)\s*\)/.exec(filter || '');
    return m ? parseFloat(m[1]) / (m[2] ? 100 : 1) : 1;
  };
  const effectiveOpacity = (el) => ancestorsOrSelf(el)
    .reduce((o, n) => o * parseFloat(cs(n).opacity) * filterOpacity(cs(n).filter), 1);
  const ownTextAt = (el, x, y) => Array.from(el.childNodes).some((n) => {
    if (n.nodeType !== 3 || !n.data.trim()) return false;
    const range = el.ownerDocument.createRange();
    range.selectNodeContents(n);
    return Array.from(range.getClientRects()).some((r) => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom);
  });
  const paints = (el, x, y) => {
    const s = cs(el);
    if (effectiveOpacity(el) === 0) return false;
    if (parseColor(s.backgroundColor)[3] > 0 || s.backgroundImage !== 'none') return true;
    if (REPLACED.has(el.tagName) || (s.backdropFilter && s.backdropFilter !== 'none')) return true;
    return ownTextAt(el, x, y);
  };
  // One point (top coordinates): 'visible' | 'covered' | 'not-painted', with the coverer.
  const hitAt = (scopes, x, y) => {
    for (const sc of scopes) {
      const lx = x - sc.offX; const ly = y - sc.offY;
      const stack = sc.root.elementsFromPoint(lx, ly);
      let verdict = null;
      for (const el of stack) {
        if (el === sc.target || flatContains(sc.target, el)) { verdict = 'ok'; break; }
        if (flatContains(el, sc.target)) break; // an ancestor: everything below is behind it
        if (paints(el, lx, ly)) return { state: 'covered', by: el };
      }
      if (verdict !== 'ok') return { state: 'not-painted', by: null };
    }
    return { state: 'visible', by: null };
  };

  // ---- colour ------------------------------------------------------------------------------
  function parseColor(str) {
    const m = /rgba?\(([^)]+)\)/.exec(str || '');
    if (!m) return str === 'transparent' ? [0, 0, 0, 0] : [0, 0, 0, 1];
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(parseFloat);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  const over = (fg, bg) => {
    const a = fg[3] + bg[3] * (1 - fg[3]);
    if (a === 0) return [0, 0, 0, 0];
    const ch = (i) => (fg[i] * fg[3] + bg[i] * bg[3] * (1 - fg[3])) / a;
    return [ch(0), ch(1), ch(2), a];
  };
  const luminance = (c) => {
    const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  };
  // Effective background: what is painted under the text, composited over the white canvas.
  // Preferably the hit-test stack under a point of the text (it sees a picture or a coloured
  // box positioned behind the text, which is not an ancestor); else the ancestors' backgrounds.
  const composite = (layers) => layers.reverse().reduce((acc, c) => over(c, acc), [255, 255, 255, 1]);
  const backgroundOfAncestors = (el) => {
    const layers = [];
    for (const n of ancestorsOrSelf(el)) {
      const s = cs(n);
      if (s.backgroundImage !== 'none') return { color: null, unknown: 'background image or gradient on ' + describe(n) };
      const c = parseColor(s.backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return { color: composite(layers), unknown: null };
  };
  const background = (el, point) => {
    if (!point) return backgroundOfAncestors(el);
    const info = docInfo(el.ownerDocument);
    const stack = el.getRootNode().elementsFromPoint(point.x - info.offX, point.y - info.offY);
    const at = stack.indexOf(el);
    if (at < 0) return backgroundOfAncestors(el);
    const layers = [];
    const doc = el.ownerDocument;
    // One layer: null to go on, or the answer (opaque reached, or unknown).
    const visit = (n, mine) => {
      if (effectiveOpacity(n) === 0) return null;
      const s = cs(n);
      if (s.backgroundImage !== 'none') return { color: null, unknown: 'background image or gradient on ' + describe(n) };
      if (!mine && REPLACED.has(n.tagName)) return { color: null, unknown: 'an image or other picture behind the text: ' + describe(n) };
      const c = parseColor(s.backgroundColor);
      if (c[3] > 0) layers.push(c);
      return c[3] >= 1 ? { color: composite(layers), unknown: null } : null;
    };
    // The stack retargets shadow internals to their host, so ancestors are taken from the
    // flattened tree: reaching an ancestor in the stack visits every ancestor up to it.
    const chain = ancestorsOrSelf(el);
    let next = 0;
    for (const n of stack.slice(at)) {
      const k = chain.indexOf(n);
      const seq = k < 0 ? [[n, false]] : chain.slice(next, k + 1).map((m) => [m, true]);
      if (k >= 0) next = Math.max(next, k + 1);
      for (const [m, mine] of seq) { const r = visit(m, mine); if (r) return r; }
    }
    if (doc.body && parseColor(cs(doc.documentElement).backgroundColor)[3] === 0 && !stack.includes(doc.body)) {
      const c = parseColor(cs(doc.body).backgroundColor); // the body's background paints the canvas
      if (c[3] > 0) layers.push(c);
    }
    if (doc.defaultView !== topWin) {
      const outer = backgroundOfAncestors(doc.defaultView.frameElement);
      if (!outer.color) return outer;
      layers.push(outer.color);
    }
    return { color: composite(layers), unknown: null };
  };
  // CSS transforms shrink text without changing font-size: the vertical scale of every
  // ancestor's transform matrix and `scale` property, multiplied.
  const transformScale = (el) => ancestorsOrSelf(el).reduce((acc, n) => {
    const s = cs(n);
    let k = 1;
    const m = /matrix(3d)?\(([^)]+)\)/.exec(s.transform || '');
    if (m) {
      const v = m[2].split(',').map(parseFloat);
      k = m[1] ? Math.hypot(v[4], v[5]) : Math.hypot(v[2], v[3]);
    }
    if (s.scale && s.scale !== 'none') {
      const parts = s.scale.split(/\s+/).map(parseFloat);
      k *= parts.length > 1 ? parts[1] : parts[0];
    }
    return acc * k;
  }, 1);
  const textStyle = (el, point) => {
    const s = cs(el);
    const color = parseColor(s.color);
    const fillRaw = s.webkitTextFillColor || s.color;
    const fill = parseColor(fillRaw);
    const bg = background(el, point);
    const opacity = effectiveOpacity(el);
    const transparent = color[3] === 0 || fill[3] === 0;
    let contrast = null;
    if (bg.color && !transparent) {
      const fg = over([fill[0], fill[1], fill[2], fill[3] * opacity], bg.color);
      const [l1, l2] = [luminance(fg), luminance(bg.color)].sort((a, b) => b - a);
      contrast = Math.round(((l1 + 0.05) / (l2 + 0.05)) * 100) / 100;
    } else if (transparent) contrast = 1;
    const scale = Math.round(transformScale(el) * 1000) / 1000;
    return { selector: describe(el), font_px: parseFloat(s.fontSize), transform_scale: scale,
      color: s.color, fill: fillRaw,
      background: bg.color ? 'rgba(' + bg.color.map((v) => Math.round(v * 100) / 100).join(', ') + ')' : null,
      background_unknown: bg.unknown, contrast, transparent, visibility: s.visibility, opacity };
  };

  // ---- one candidate -------------------------------------------------------------------------
  const styleFlags = (el) => {
    const f = { display_none: null, closed_details: null, clips: [], overflow_ancestors: [], scrolled: [] };
    for (const n of ancestorsOrSelf(el)) {
      const s = cs(n);
      if (s.display === 'none' && !f.display_none) f.display_none = describe(n);
      if (n.tagName === 'DETAILS' && !n.open && !f.closed_details) {
        const summary = n.querySelector(':scope > summary');
        if (!(summary && flatContains(summary, el))) f.closed_details = describe(n);
      }
      if (s.clip && s.clip !== 'auto' && /absolute|fixed/.test(s.position)) f.clips.push({ selector: describe(n), kind: 'clip', value: s.clip });
      if (s.clipPath && s.clipPath !== 'none') f.clips.push({ selector: describe(n), kind: 'clip-path', value: s.clipPath });
      const isScroller = n === n.ownerDocument.scrollingElement;
      if (!isScroller && (s.overflowX !== 'visible' || s.overflowY !== 'visible')) f.overflow_ancestors.push(n);
      if ((n.scrollTop || n.scrollLeft) && (!isScroller || n.ownerDocument.defaultView !== topWin)) {
        f.scrolled.push({ selector: describe(n), scroll_top: n.scrollTop, scroll_left: n.scrollLeft });
      }
    }
    return f;
  };
  const whereIs = (r, view) => {
    if (r.t >= view.b) return 'below';
    if (r.b <= view.t) return 'above';
    if (r.r <= view.l) return 'left';
    if (r.l >= view.r) return 'right';
    if (r.b > view.b + 0.5) return 'partly-below';
    if (r.t < view.t - 0.5 || r.l < view.l - 0.5 || r.r > view.r + 0.5) return 'partly-outside';
    return 'inside';
  };
  const lineBoxes = (el, info) => {
    const boxes = [];
    for (const tn of textNodesOf(el)) {
      const range = tn.ownerDocument.createRange();
      range.selectNodeContents(tn);
      for (const r of Array.from(range.getClientRects())) {
        if (r.width <= 0 || r.height <= 0) continue;
        boxes.push({ node: tn, l: r.left + info.offX, t: r.top + info.offY, r: r.right + info.offX, b: r.bottom + info.offY });
      }
    }
    return boxes;
  };
  // Group line boxes into rows (text lines): a box whose middle lies within a row joins it.
  const assignRows = (boxes) => {
    const rows = [];
    for (const b of boxes.slice().sort((a, c) => a.t - c.t)) {
      const mid = (b.t + b.b) / 2;
      let row = rows.findIndex((r) => mid >= r.t && mid <= r.b);
      if (row < 0) { rows.push({ t: b.t, b: b.b }); row = rows.length - 1; }
      b.row = row;
    }
    return rows.length;
  };
  const clippedBy = (box, ancestors) => {
    for (const a of ancestors) {
      const info = docInfo(a.ownerDocument);
      const r = a.getBoundingClientRect();
      const pad = { l: r.left + a.clientLeft + info.offX, t: r.top + a.clientTop + info.offY };
      const clip = { l: pad.l, t: pad.t, r: pad.l + a.clientWidth, b: pad.t + a.clientHeight };
      const i = intersect(box, clip);
      const inside = Math.max(0, i.r - i.l) * Math.max(0, i.b - i.t);
      if (inside < (box.r - box.l) * (box.b - box.t) * 0.99) return describe(a);
    }
    return null;
  };
  // Name the layer that covers (a fixed banner), not the button inside it that happened to be hit.
  const coverRoot = (el) => {
    let top = el;
    for (const n of ancestorsOrSelf(el)) {
      if (n.ownerDocument !== el.ownerDocument) break;
      if (/fixed|sticky/.test(cs(n).position) || (n.tagName === 'DIALOG' && n.open)) top = n;
    }
    return describe(top);
  };
  const mostCommon = (names) => {
    const counts = new Map();
    names.forEach((n) => counts.set(n, (counts.get(n) || 0) + 1));
    return names.length ? Array.from(counts).sort((a, b) => b[1] - a[1])[0][0] : null;
  };
  const measure = (el) => {
    const info = docInfo(el.ownerDocument);
    const flags = styleFlags(el);
    const boxes = lineBoxes(el, info);
    const rowCount = assignRows(boxes);
    const scopesByNode = new Map();
    const points = { total: 0, visible: 0, covered: 0, not_painted: 0, outside: 0 };
    const coverers = []; let overflowClip = null;
    const lines = [];
    for (const b of boxes) {
      const where = whereIs(b, info.view);
      lines.push({ x: b.l, y: b.t, width: b.r - b.l, height: b.b - b.t, row: b.row, where });
      const clipper = clippedBy(b, flags.overflow_ancestors);
      if (clipper && !overflowClip) overflowClip = clipper;
      const parent = b.node.parentNode.nodeType === 11 ? b.node.parentNode.host : b.node.parentNode;
      if (!scopesByNode.has(parent)) scopesByNode.set(parent, scopesOf(parent));
      const y = (b.t + b.b) / 2;
      for (const fx of [0.08, 0.3, 0.5, 0.7, 0.92]) {
        const x = b.l + (b.r - b.l) * fx;
        points.total += 1;
        if (x < info.view.l || x > info.view.r || y < info.view.t || y > info.view.b) { points.outside += 1; continue; }
        const hit = hitAt(scopesByNode.get(parent), x, y);
        if (hit.state === 'visible') points.visible += 1;
        else if (hit.state === 'covered') { points.covered += 1; coverers.push(coverRoot(hit.by)); }
        else points.not_painted += 1;
      }
    }
    const textEls = new Map(); // text-bearing element -> a point of its text in the viewport
    for (const b of boxes) {
      const p = b.node.parentNode.nodeType === 11 ? b.node.parentNode.host : b.node.parentNode;
      const mid = { x: (b.l + b.r) / 2, y: (b.t + b.b) / 2 };
      const inView = mid.x > info.view.l && mid.x < info.view.r && mid.y > info.view.t && mid.y < info.view.b;
      if (!textEls.has(p) || (!textEls.get(p) && inView)) textEls.set(p, inView ? mid : null);
    }
    const texts = textEls.size ? Array.from(textEls).map(([p, pt]) => textStyle(p, pt)) : [textStyle(el, null)];
    const r = el.getBoundingClientRect();
    return {
      selector: describe(el), tag: el.tagName.toLowerCase(), text: deepText(el).slice(0, 500),
      in_shadow_dom: ancestorsOrSelf(el).some((n) => n.getRootNode().nodeType === 11),
      frame_depth: info.depth,
      bbox: { x: r.left + info.offX, y: r.top + info.offY, width: r.width, height: r.height },
      display_none: flags.display_none, closed_details: flags.closed_details, clips: flags.clips,
      overflow_clipped_by: overflowClip, scrolled_containers: flags.scrolled,
      effective_opacity: effectiveOpacity(el),
      line_count: rowCount, line_boxes: lines, points, covered_by: mostCommon(coverers), texts,
    };
  };

  // ---- run ---------------------------------------------------------------------------------
  // Hit-testing should see what is painted, not what is clickable: pointer-events:none would
  // otherwise make a cookie banner invisible to elementsFromPoint. Restored before returning.
  const forced = roots.map((root) => {
    const style = (root.ownerDocument || root).createElement('style');
    style.textContent = '* { pointer-events: auto !important; }';
    (root.nodeType === 9 ? root.head || root.documentElement : root).appendChild(style);
    return style;
  });
  try {
    const { candidates, selectorMatches } = locate();
    const measured = candidates.slice(0, args.maxCandidates || 5).map(measure);
    return {
      viewport: { width: topView.r - topView.l, height: topView.b - topView.t,
        scale: vv ? vv.scale : 1, scroll_x: startScroll[0], scroll_y: startScroll[1] },
      searched: { roots: roots.length, cross_origin_frames: crossOriginFrames },
      candidate_count: candidates.length, selector_matches: selectorMatches,
      candidates: measured, image_matches: measured.length ? [] : imageMatches(),
      scroll_after: [topWin.scrollX, topWin.scrollY],
    };
  } finally {
    forced.forEach((s) => s.remove());
  }
}
