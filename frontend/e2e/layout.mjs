// Layout checks for the desktop UI tests, measured in the page from the boxes
// Chromium laid out: the page must not scroll, no text may run over other
// text or a control, and no text may be cut unless its title holds it whole.

/**
 * layoutFaults lists what is wrong with the page's layout as it is now, in
 * words; [] when it holds. Text scrolled out of a scrolling column is not
 * a fault; text cut across (by a box too narrow for it) is.
 */
export function layoutFaults(page) {
  return page.evaluate(() => {
    const faults = [];
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const doc = document.scrollingElement;
    if (doc.scrollHeight > vh || doc.scrollWidth > vw) faults.push(`the page scrolls: its content is ${doc.scrollWidth}×${doc.scrollHeight} in a ${vw}×${vh} window`);

    const cut = (a, b) => {
      const l = Math.max(a.left, b.left), t = Math.max(a.top, b.top);
      const r = Math.min(a.right, b.right), btm = Math.min(a.bottom, b.bottom);
      return r - l > 0 && btm - t > 0 ? { left: l, top: t, right: r, bottom: btm, width: r - l, height: btm - t } : null;
    };
    /** clipOf is the part of the window el's ancestors (and el) let show. */
    const clipOf = (el) => {
      let clip = { left: 0, top: 0, right: vw, bottom: vh };
      for (let a = el; a && a !== document.documentElement && a !== document.body; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') clip = cut(clip, a.getBoundingClientRect()) ?? { left: 0, top: 0, right: 0, bottom: 0 };
      }
      return clip;
    };
    const name = (node) => {
      const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
      const id = el.id ? `#${el.id}` : el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : el.tagName.toLowerCase();
      return node.nodeType === Node.TEXT_NODE ? `"${node.textContent.trim().slice(0, 40)}" (${id})` : `<${el.tagName.toLowerCase()}> ${id}`;
    };
    const items = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      const el = n.parentElement;
      if (!text || el.closest('.sr-only, script, style, select, datalist, noscript')) continue;
      if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      const clip = clipOf(el);
      for (const r of range.getClientRects()) {
        if (r.width < 1 || r.height < 1) continue;
        const shown = cut(r, clip);
        if (!shown) continue;
        if (shown.width < r.width - 1) {
          const whole = el.closest('[title]')?.getAttribute('title') ?? '';
          if (!whole.includes(text)) faults.push(`cut: ${name(n)} shows ${Math.round(shown.width)} of its ${Math.round(r.width)} px, with no title holding it whole`);
        }
        items.push({ node: n, rect: shown });
      }
    }
    for (const c of document.querySelectorAll('input, select, button, img, textarea')) {
      if (!c.checkVisibility({ opacityProperty: true, visibilityProperty: true }) || c.closest('.sr-only')) continue;
      const shown = cut(c.getBoundingClientRect(), clipOf(c.parentElement));
      if (shown && shown.width >= 1 && shown.height >= 1) items.push({ node: c, rect: shown });
    }
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        const a = items[i], b = items[j];
        if (a.node === b.node || a.node.contains(b.node) || b.node.contains(a.node)) continue;
        const o = cut(a.rect, b.rect);
        if (o && o.width > 1 && o.height > 1) faults.push(`overlap: ${name(a.node)} and ${name(b.node)} share ${Math.round(o.width)}×${Math.round(o.height)} px`);
      }
    }
    return faults;
  });
}

/**
 * controlBoxes maps each control of the page to where it is laid out: in the
 * side column, where it is in the column's content, so that scrolling the
 * column is not taken for a move.
 */
export function controlBoxes(page) {
  return page.evaluate(() => {
    const out = {};
    const side = document.querySelector('.side');
    const all = document.querySelectorAll('.side input, .side select, .side button, .side summary, .strip dd, .bar > *');
    all.forEach((el, i) => {
      const r = el.getBoundingClientRect();
      const dy = side.contains(el) ? side.scrollTop : 0;
      out[`${i}:${el.id || el.className || el.tagName}`] = `${Math.round(r.left)},${Math.round(r.top + dy)} ${Math.round(r.width)}×${Math.round(r.height)}`;
    });
    return out;
  });
}
