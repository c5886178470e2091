// Fleethook page behaviour, from data-* attributes only: the pages carry no inline script or event
// handler, so a Content-Security-Policy without 'unsafe-inline' holds (see web.RequestShield).
//   <form data-confirm="Delete this server?">  asks before submitting (Cancel keeps the page as is).
document.addEventListener('submit', function (event) {
  var form = event.target.closest('form[data-confirm]');
  if (form && !window.confirm(form.getAttribute('data-confirm'))) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// Live updates (htmx polling of elements marked data-live) with a visible pause control:
//   <button data-live-pause>  stops every poll on the page until pressed again.
(function () {
  var paused = false;
  function label() {
    document.querySelectorAll('[data-live-pause]').forEach(function (b) {
      b.setAttribute('aria-pressed', paused ? 'true' : 'false');
      b.textContent = paused ? 'Resume updates' : 'Pause updates';
    });
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-live-pause]');
    if (button) {
      paused = !paused;
      label();
    }
  });
  document.addEventListener('htmx:confirm', function (event) {
    if (paused && event.target.closest('[data-live]') && event.detail.triggerEvent
        && event.detail.triggerEvent.type !== 'click' && event.detail.triggerEvent.type !== 'submit'
        && event.detail.triggerEvent.type !== 'change') {
      event.preventDefault();
    }
  });
  document.addEventListener('htmx:afterSwap', label);
  document.addEventListener('htmx:afterSettle', label);
})();

// Copy buttons: <button data-copy="#element-id"> copies that element's text to the clipboard.
document.addEventListener('click', function (event) {
  var button = event.target.closest('[data-copy]');
  if (!button) {
    return;
  }
  var source = document.querySelector(button.getAttribute('data-copy'));
  if (source && navigator.clipboard) {
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = 'Copied';
    });
  }
});
