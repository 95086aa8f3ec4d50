// A "select all" box: <input type="checkbox" data-check-all="teachers"> ticks every box named
// "teachers" in its form. No inline handlers (Content-Security-Policy).
document.addEventListener('change', function (event) {
  var box = event.target;
  if (!box.matches || !box.matches('input[data-check-all]')) { return; }
  var form = box.closest('form');
  if (!form) { return; }
  form.querySelectorAll('input[name="' + box.dataset.checkAll + '"]').forEach(function (c) {
    c.checked = box.checked;
  });
});
