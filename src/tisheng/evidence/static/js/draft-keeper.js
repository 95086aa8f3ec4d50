/* Keeps what is typed into the evidence texts in this browser (localStorage) until the server has
 * it, so that a request lost on a bad connection loses nothing: on the next visit the page offers
 * to put the text back. Cleared as soon as the page shows the same text the browser kept.
 */
(function () {
  'use strict';

  var form = document.querySelector('form[data-draft-key]');
  if (!form || !window.localStorage) { return; }
  var key = 'tisheng-evidence-draft:' + form.getAttribute('data-draft-key');
  var fields = Array.prototype.slice.call(form.querySelectorAll('textarea[name]'));
  var notice = form.querySelector('.draft-restore');

  function current() {
    var values = {};
    fields.forEach(function (f) { values[f.name] = f.value; });
    return values;
  }

  function same(a, b) {
    return fields.every(function (f) { return (a[f.name] || '') === (b[f.name] || ''); });
  }

  var kept = null;
  try { kept = JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { kept = null; }
  if (kept && kept.values) {
    if (same(kept.values, current())) {
      localStorage.removeItem(key);
    } else if (notice) {
      notice.hidden = false;
      notice.querySelector('button').addEventListener('click', function () {
        fields.forEach(function (f) { if (kept.values[f.name] !== undefined) { f.value = kept.values[f.name]; } });
        notice.hidden = true;
      });
    }
  }

  var timer = null;
  form.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      try { localStorage.setItem(key, JSON.stringify({ values: current(), at: Date.now() })); } catch (e) { /* full */ }
    }, 400);
  });
})();
