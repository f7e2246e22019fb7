() => {
  const vw = document.documentElement.clientWidth;
  const cut = [...document.querySelectorAll('button, .widget-label, .widget-label-basic span, .widget-toggle-button')]
    // a label hidden on purpose (named for screen readers only) is not a cut label
    .filter(b => b.offsetParent !== null && !b.closest('.kit-sr-label') && b.scrollWidth > b.clientWidth + 1)
    .map(b => b.tagName + ':' + b.textContent.trim().slice(0, 40) + ' ' + b.scrollWidth + '>' + b.clientWidth);
  const span = document.createElement('span');
  span.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap';
  document.body.appendChild(span);
  for (const s of document.querySelectorAll('select:not([multiple])')) {
    if (s.offsetParent === null || s.selectedIndex < 0) continue;
    span.style.font = getComputedStyle(s).font;
    span.textContent = s.options[s.selectedIndex].text;
    if (span.offsetWidth + 28 > s.clientWidth) cut.push('SELECT:' + span.textContent.slice(0, 40) + ' ' + span.offsetWidth + '>' + s.clientWidth);
  }
  span.remove();
  for (const el of document.querySelectorAll('.kit-app button, .kit-app select, .kit-app input, .kit-app table')) {
    if (el.offsetParent === null) continue;
    let box = el, scroller = null;
    while ((box = box.parentElement)) { const o = getComputedStyle(box).overflowX; if (o === 'auto' || o === 'scroll') { scroller = box; break; } }
    const right = (scroller || el).getBoundingClientRect().right;
    if (right > vw + 1) cut.push('OFF-PAGE ' + el.tagName + ':' + (el.textContent || el.value || '').trim().slice(0, 30) + ' ' + Math.round(right) + '>' + vw);
  }
  return cut;
}
