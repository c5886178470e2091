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
