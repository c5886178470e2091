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
      document.documentElement.toggleAttribute('data-live-paused', paused);
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

// Self-refreshing lists: <div id="x" data-refresh="5" [data-refresh-select="#x"]> reloads its content from
// the page's current address (filters included) every 5 s through htmx: with data-refresh-select the
// element is replaced by that part of the page, without it its content by the page's htmx fragment. Not
// while updates are paused, while the tab is hidden, or while the user has ticked or is typing in it.
(function () {
  var last = new WeakMap();
  setInterval(function () {
    if (document.hidden || document.documentElement.hasAttribute('data-live-paused') || !window.htmx) {
      return;
    }
    document.querySelectorAll('[data-refresh]').forEach(function (el) {
      var every = 1000 * (parseInt(el.getAttribute('data-refresh'), 10) || 5);
      var now = Date.now();
      if (!last.has(el)) {
        last.set(el, now);
        return;
      }
      if (now - last.get(el) < every || el.querySelector('input[type=checkbox]:checked')
          || el.contains(document.activeElement) && document.activeElement.matches('input, select, textarea')) {
        return;
      }
      last.set(el, now);
      var select = el.getAttribute('data-refresh-select');
      var context = { source: el, target: el, swap: select ? 'outerHTML' : 'innerHTML' };
      if (select) {
        context.select = select;
      }
      window.htmx.ajax('GET', window.location.pathname + window.location.search, context);
    });
  }, 1000);
})();

// Fields that belong to one choice of a form show only for it (progressive enhancement: without JavaScript
// every field shows, and the server ignores the ones the choice does not use):
//   <select data-show-control="engine"> … <div data-show-for="engine" data-show-values="restic">
// The control is looked up in the element's closest [data-show-scope] (a form, or one hook row of it).
(function () {
  function apply() {
    document.querySelectorAll('[data-show-for]').forEach(function (el) {
      var scope = el.closest('[data-show-scope]');
      var control = scope && scope.querySelector('[data-show-control="' + el.getAttribute('data-show-for') + '"]');
      if (control) {
        el.hidden = (el.getAttribute('data-show-values') || '').split(' ').indexOf(control.value) < 0;
      }
    });
  }
  document.addEventListener('change', function (event) {
    if (event.target.matches && event.target.matches('[data-show-control]')) {
      apply();
    }
  });
  document.addEventListener('htmx:afterSettle', apply);
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', apply);
  } else {
    apply();
  }
})();

// An error summary's links (<ul data-focus-links><a href="#f-name">) put the cursor in the field they name,
// not only scroll to it, so the reader can fix it at once (without JavaScript the link still scrolls there).
document.addEventListener('click', function (event) {
  var link = event.target.closest && event.target.closest('[data-focus-links] a[href^="#"]');
  var field = link && document.getElementById(link.getAttribute('href').substring(1));
  if (field && typeof field.focus === 'function') {
    event.preventDefault();
    if (window.history && history.replaceState) {
      history.replaceState(null, '', link.getAttribute('href'));
    }
    field.focus();
  }
});
